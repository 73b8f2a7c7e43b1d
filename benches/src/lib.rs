//! Benchmarks of callscope (`cargo bench -p callscope-benches`); this library is empty.
