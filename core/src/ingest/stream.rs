//! Streaming split of a top-level JSON array into its elements, so that a large export is
//! parsed one element at a time (memory holds one batch of elements, not the file), and of a
//! line-delimited stream (NDJSON, form bodies) into batches of whole lines.

use std::io::BufRead;

/// Reads the elements of a top-level JSON array from a stream, as raw bytes per element.
#[derive(Debug)]
pub struct ArrayElements<R> {
    reader: R,
    started: bool,
    done: bool,
    /// Largest element accepted, in bytes.
    max_element: usize,
}

/// Why the stream could not be split.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The I/O layer failed.
    Io(String),
    /// The text is not a JSON array, or ends inside an element.
    Syntax(String),
    /// An element is larger than the limit.
    TooLarge(usize),
}

impl<R: BufRead> ArrayElements<R> {
    /// Split `reader`, which must start (after whitespace and an optional BOM) with `[`.
    pub fn new(reader: R, max_element: usize) -> Self {
        ArrayElements {
            reader,
            started: false,
            done: false,
            max_element,
        }
    }

    fn skip_ws(&mut self) -> Result<Option<u8>, SplitError> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| SplitError::Io(e.to_string()))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if n < buf.len() {
                let b = buf[n];
                self.reader.consume(n);
                return Ok(Some(b));
            }
            let len = buf.len();
            self.reader.consume(len);
        }
    }

    fn next_element(&mut self) -> Result<Option<Vec<u8>>, SplitError> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            // optional BOM
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| SplitError::Io(e.to_string()))?;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                self.reader.consume(3);
            }
            match self.skip_ws()? {
                Some(b'[') => self.reader.consume(1),
                _ => return Err(SplitError::Syntax("expected a JSON array".into())),
            }
            self.started = true;
            if self.skip_ws()? == Some(b']') {
                self.reader.consume(1);
                self.done = true;
                return Ok(None);
            }
        } else {
            match self.skip_ws()? {
                Some(b',') => self.reader.consume(1),
                Some(b']') => {
                    self.reader.consume(1);
                    self.done = true;
                    return Ok(None);
                }
                Some(other) => {
                    return Err(SplitError::Syntax(format!(
                        "expected ',' or ']' between elements, found {:?}",
                        other as char
                    )));
                }
                None => return Err(SplitError::Syntax("the array is not closed".into())),
            }
        }
        if self.skip_ws()?.is_none() {
            return Err(SplitError::Syntax("the array ends after a comma".into()));
        }
        let mut out = Vec::new();
        let mut state = Scan::default();
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| SplitError::Io(e.to_string()))?;
            if buf.is_empty() {
                return Err(SplitError::Syntax("the text ends inside an element".into()));
            }
            let end = state.end_in(buf);
            let take = end.unwrap_or(buf.len());
            out.extend_from_slice(buf.get(..take).unwrap_or_default());
            self.reader.consume(take);
            if out.len() > self.max_element {
                return Err(SplitError::TooLarge(self.max_element));
            }
            if end.is_some() {
                return Ok(Some(out));
            }
        }
    }
}

/// Where the scan of one element is: nesting depth, inside a string, after a backslash.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Scan {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Scan {
    /// The end of the element in `buf` (exclusive: after its closing bracket, or at the `,` or
    /// `]` that follows a scalar), or `None` when it goes on past `buf`. Inside strings it
    /// jumps to the next quote or backslash (`memchr2`). Not inlined: under WASM a call that
    /// runs long stays in baseline code, and this loop is most of an array's bytes.
    #[inline(never)]
    fn end_in(&mut self, buf: &[u8]) -> Option<usize> {
        let mut i = 0;
        while let Some(&b) = buf.get(i) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', buf.get(i..).unwrap_or_default()) {
                    Some(k) => {
                        i += k;
                        if buf.get(i) == Some(&b'\\') {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                        i += 1;
                    }
                    None => return None,
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                b',' | b']' if self.depth == 0 => return Some(i),
                _ => {}
            }
            i += 1;
        }
        None
    }
}

impl<R: BufRead> Iterator for ArrayElements<R> {
    type Item = Result<Vec<u8>, SplitError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_element() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// `(start, end, first line number)` of a piece of a [`LineBatch`].
pub type Piece = (usize, usize, usize);

/// A batch of whole lines of a stream in one buffer ([`LineBatches`]): `pieces` cut it into
/// runs of whole lines, to be parsed in parallel, each with the number of its first line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LineBatch {
    /// The lines, each with its `\n` (the stream's last line may have none).
    pub bytes: Vec<u8>,
    /// `(start, end, first line number)` of each piece: consecutive, covering every line
    /// that is not blank (runs of blank lines between pieces may be left out).
    pub pieces: Vec<Piece>,
    /// Lines that are not blank (only whitespace), the units of the batch.
    pub units: usize,
    /// Where `bytes` begin in the stream, in bytes from where [`LineBatches`] began reading
    /// it (a report reads a piece of a file again by its range).
    pub offset: u64,
    /// The stream's last batch (every batch before it is full: its units, or its bytes).
    pub last: bool,
}

impl LineBatch {
    /// The lines of `piece` (one of `pieces`) that are not blank, each with its number.
    pub fn units(&self, &(start, end, first_line): &Piece) -> impl Iterator<Item = (usize, &[u8])> {
        let lines = self.bytes.get(start..end).unwrap_or_default();
        // each line's end: after its `\n`, or the end of the text for a last line without one
        let ends = memchr::memchr_iter(b'\n', lines)
            .map(|nl| nl + 1)
            .chain((lines.last().is_some_and(|&b| b != b'\n')).then_some(lines.len()));
        let mut line_start = 0;
        ends.enumerate().filter_map(move |(n, line_end)| {
            let line = lines.get(line_start..line_end).unwrap_or_default();
            line_start = line_end;
            (!blank(line)).then_some((first_line + n, line))
        })
    }
}

/// A line holding only whitespace (or nothing): not a unit, though it is counted.
fn blank(line: &[u8]) -> bool {
    line.trim_ascii().is_empty()
}

/// Why a line batch could not be read.
#[derive(Debug)]
pub enum LineError {
    /// The I/O layer failed.
    Io(std::io::Error),
    /// Line `n` (counted from 1) is longer than the limit.
    TooLong(usize),
}

/// Reads a line-delimited stream a batch at a time: up to `batch` lines that are not blank,
/// whole, in one buffer, read a large block at a time (no buffer per line). Lines are
/// numbered from 1, blank lines included; a line's length counts its `\n`.
#[derive(Debug)]
pub struct LineBatches<R> {
    reader: R,
    /// The start of the line after the last batch, read already.
    carry: Vec<u8>,
    /// Lines read into batches so far.
    line_no: usize,
    /// Bytes of the stream given in batches so far (where `carry` begins in it).
    given: u64,
    eof: bool,
    /// A read error met while filling, returned when more bytes are needed.
    failed: Option<std::io::Error>,
    /// Buffers of batches done with ([`LineBatches::recycle`]).
    spare: Vec<Vec<u8>>,
    batch: usize,
    piece: usize,
    max_line: usize,
    /// Bytes asked of the reader at a time ([`BLOCK`]; smaller in tests).
    block: usize,
    /// A batch ends after the line that brings it to this many bytes, whatever its units.
    max_bytes: usize,
}

/// Bytes asked of the reader at a time.
const BLOCK: usize = 1 << 20;

impl<R: std::io::Read> LineBatches<R> {
    /// Batches of up to `batch` units, cut into pieces of up to `piece` units, of lines up to
    /// `max_line` bytes.
    pub fn new(reader: R, batch: usize, piece: usize, max_line: usize) -> Self {
        LineBatches {
            reader,
            carry: Vec::new(),
            line_no: 0,
            given: 0,
            eof: false,
            failed: None,
            spare: Vec::new(),
            batch: batch.max(1),
            piece: piece.max(1),
            max_line,
            block: BLOCK,
            max_bytes: usize::MAX,
        }
    }

    /// The same, a batch ending once it holds `max_bytes` (after a line that is not blank):
    /// lines of 100 KB (a voice-AI platform's end-of-call report with its transcript) would
    /// otherwise make batches of hundreds of MB.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// The same, asking the reader for `block` bytes at a time (tests: lines across reads).
    #[cfg(test)]
    fn with_block(mut self, block: usize) -> Self {
        self.block = block.max(1);
        self
    }

    /// The next batch: full (`batch` units, or `max_bytes`), or the last one
    /// ([`LineBatch::last`]); `None` at the end.
    pub fn next_batch(&mut self) -> Result<Option<LineBatch>, LineError> {
        // a spare buffer when there is one (a batch's buffer is large: fresh memory for each
        // would cost the system a page fault every 4 KB)
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut out = LineBatch {
            offset: self.given,
            ..LineBatch::default()
        };
        // the start of the current line, of the current piece, and the piece's first line
        let mut at = 0;
        let mut piece_start = 0;
        let mut piece_line = self.line_no + 1;
        let mut piece_units = 0;
        // where the search for the next line break goes on from: a long line read over many
        // blocks is searched once, not again from its start after every block
        let mut searched = at;
        loop {
            while let Some(nl) = bytes
                .get(searched..)
                .and_then(|rest| memchr::memchr(b'\n', rest))
            {
                let end = searched + nl + 1;
                searched = end;
                self.line_no += 1;
                if end - at > self.max_line {
                    return Err(LineError::TooLong(self.line_no));
                }
                let is_blank = bytes.get(at..end).is_none_or(blank);
                at = end;
                if !is_blank {
                    out.units += 1;
                    piece_units += 1;
                }
                let full = out.units == self.batch || (at >= self.max_bytes && !is_blank);
                if piece_units == self.piece || full {
                    out.pieces.push((piece_start, at, piece_line));
                    piece_start = at;
                    piece_line = self.line_no + 1;
                    piece_units = 0;
                }
                if full {
                    self.carry
                        .extend_from_slice(bytes.get(at..).unwrap_or_default());
                    bytes.truncate(at);
                    self.given += at as u64;
                    out.bytes = bytes;
                    return Ok(Some(out));
                }
            }
            searched = bytes.len();
            if bytes.len() - at > self.max_line {
                return Err(LineError::TooLong(self.line_no + 1));
            }
            if self.eof {
                if at < bytes.len() {
                    // the last line, without a line break
                    self.line_no += 1;
                    if !bytes.get(at..).is_none_or(blank) {
                        out.units += 1;
                        piece_units += 1;
                    }
                    at = bytes.len();
                }
                if piece_units > 0 {
                    out.pieces.push((piece_start, at, piece_line));
                }
                if out.units == 0 {
                    return Ok(None);
                }
                self.given += bytes.len() as u64;
                out.bytes = bytes;
                out.last = true;
                return Ok(Some(out));
            }
            self.fill(&mut bytes)?;
        }
    }

    /// Take back the buffer of a batch done with, to read a later batch into (a few are kept).
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        if self.spare.len() < 2 {
            self.spare.push(bytes);
        }
    }

    /// Append up to a block of the stream to `bytes` (none: the end). A read error
    /// is returned on the call after the one that met it, so that the lines read before it
    /// are batched first (as a reader of one line at a time would give them).
    fn fill(&mut self, bytes: &mut Vec<u8>) -> Result<(), LineError> {
        use std::io::Read;
        if let Some(e) = self.failed.take() {
            return Err(LineError::Io(e));
        }
        bytes.reserve(self.block);
        // `read_to_end` of a limited reader reads into spare capacity without zeroing it (and
        // keeps what it read before an error)
        match (&mut self.reader)
            .take(self.block as u64)
            .read_to_end(bytes)
        {
            // fewer bytes than asked: the stream ended
            Ok(n) => self.eof = n < self.block,
            Err(e) => self.failed = Some(e),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str) -> Vec<Result<String, SplitError>> {
        // a 3-byte buffer forces elements across buffer boundaries
        let reader = std::io::BufReader::with_capacity(3, text.as_bytes());
        ArrayElements::new(reader, 1 << 20)
            .map(|r| r.map(|v| String::from_utf8(v).unwrap_or_default()))
            .collect()
    }

    #[test]
    fn splits_elements_of_any_kind() {
        let got = split(" [ {\"a\":\"],}\"} , [1,[2]],3 ,\"x\\\"y\", null ]");
        let want: Vec<Result<String, SplitError>> = vec![
            Ok("{\"a\":\"],}\"}".into()),
            Ok("[1,[2]]".into()),
            Ok("3 ".into()),
            Ok("\"x\\\"y\"".into()),
            Ok("null ".into()),
        ];
        assert_eq!(got, want);
        assert!(split("[]").is_empty());
        assert!(split("\u{feff}[ ]").is_empty());
    }

    /// The scan as a plain byte-by-byte state machine (the reference).
    fn reference_end(state: &mut Scan, buf: &[u8]) -> Option<usize> {
        for (i, &b) in buf.iter().enumerate() {
            if state.in_string {
                if state.escaped {
                    state.escaped = false;
                } else if b == b'\\' {
                    state.escaped = true;
                } else if b == b'"' {
                    state.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => state.in_string = true,
                b'{' | b'[' => state.depth += 1,
                b'}' | b']' if state.depth > 0 => {
                    state.depth -= 1;
                    if state.depth == 0 {
                        return Some(i + 1);
                    }
                }
                b',' | b']' if state.depth == 0 => return Some(i),
                _ => {}
            }
        }
        None
    }

    proptest! {
        #[test]
        fn the_scan_ends_where_the_byte_by_byte_scan_does(
            text in proptest::collection::vec(proptest::sample::select(b"\"\\{}[],ax ".to_vec()), 0..200),
            cut in 0usize..200,
            depth in 0usize..3,
            in_string: bool,
            escaped: bool,
        ) {
            // from any state, in one buffer or split in two
            let start = Scan { depth, in_string, escaped: escaped && in_string };
            let (mut a, mut b) = (start, start);
            let whole = a.end_in(&text);
            prop_assert_eq!(whole, reference_end(&mut b, &text));
            if whole.is_none() {
                prop_assert_eq!(a, b);
            }
            let cut = cut.min(text.len());
            let (mut a, mut b) = (start, start);
            let first = a.end_in(&text[..cut]);
            prop_assert_eq!(first, reference_end(&mut b, &text[..cut]));
            if first.is_none() {
                prop_assert_eq!(a, b);
                prop_assert_eq!(a.end_in(&text[cut..]), reference_end(&mut b, &text[cut..]));
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn reports_broken_arrays() {
        assert!(matches!(
            split("{}").pop(),
            Some(Err(SplitError::Syntax(_)))
        ));
        assert!(matches!(
            split("[{\"a\":1}").pop(),
            Some(Err(SplitError::Syntax(_)))
        ));
        assert!(matches!(
            split("[{\"a\":1},").pop(),
            Some(Err(SplitError::Syntax(_)))
        ));
        assert!(matches!(
            split("[{\"a\":1} {\"b\":2}]").pop(),
            Some(Err(SplitError::Syntax(_)))
        ));
        let big = format!("[\"{}\"]", "x".repeat(100));
        let reader = std::io::BufReader::with_capacity(8, big.as_bytes());
        let r: Vec<_> = ArrayElements::new(reader, 50).collect();
        assert_eq!(r.last(), Some(&Err(SplitError::TooLarge(50))));
    }

    /// A reader giving at most `chunk` bytes a call.
    struct Trickle<'a> {
        text: &'a [u8],
        chunk: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.text.len());
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    /// Every line of `text` that is not blank, with its number (from 1), as a reader of one
    /// line at a time sees it; or the number of the first line longer than `max`.
    fn naive_units(text: &[u8], max: usize) -> Result<Vec<(usize, Vec<u8>)>, usize> {
        let mut out = Vec::new();
        let mut lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
        if text.is_empty() {
            lines.clear();
        }
        for (i, line) in lines.into_iter().enumerate() {
            if line.len() > max {
                return Err(i + 1);
            }
            if !line.trim_ascii().is_empty() {
                out.push((i + 1, line.to_vec()));
            }
        }
        Ok(out)
    }

    /// Units with their line numbers, units per batch, and the line found too long.
    type Batched = (Vec<(usize, Vec<u8>)>, Vec<usize>, Option<usize>);

    /// The units of every batch, from their pieces, and the units per batch (batches of up to
    /// `max_bytes`), checking that each piece is where its offset says in the text, that each
    /// batch before the last is full (its units or its bytes) and that only the last is
    /// marked so.
    fn batched_bytes(
        text: &[u8],
        (chunk, block): (usize, usize),
        (batch, piece, max): (usize, usize, usize),
        max_bytes: usize,
    ) -> Batched {
        let mut batches = LineBatches::new(Trickle { text, chunk }, batch, piece, max)
            .with_block(block)
            .with_max_bytes(max_bytes);
        let mut units = Vec::new();
        let mut sizes = Vec::new();
        let mut ended = false;
        loop {
            match batches.next_batch() {
                Ok(Some(b)) => {
                    assert!(!ended, "a batch after the last");
                    ended = b.last;
                    assert!(b.last || b.units == batch || b.bytes.len() >= max_bytes);
                    sizes.push(b.units);
                    for cut in &b.pieces {
                        let at = b.offset as usize;
                        assert_eq!(text.get(at + cut.0..at + cut.1), b.bytes.get(cut.0..cut.1));
                        let in_piece = b.units(cut).count();
                        assert!(
                            in_piece >= 1 && in_piece <= piece,
                            "{in_piece} units in a piece"
                        );
                        units.extend(b.units(cut).map(|(n, line)| (n, line.to_vec())));
                    }
                    batches.recycle(b.bytes);
                }
                Ok(None) => return (units, sizes, None),
                Err(LineError::TooLong(n)) => return (units, sizes, Some(n)),
                Err(LineError::Io(e)) => panic!("{e}"),
            }
        }
    }

    /// [`batched_bytes`] without a limit of bytes.
    fn batched(
        text: &[u8],
        chunks: (usize, usize),
        batch: usize,
        piece: usize,
        max: usize,
    ) -> Batched {
        batched_bytes(text, chunks, (batch, piece, max), usize::MAX)
    }

    #[test]
    fn line_batches_number_lines_and_cut_full_batches() {
        let text = b"{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}\n{\"d\":4}";
        let (units, sizes, too_long) = batched(text, (3, 5), 2, 1, 100);
        assert_eq!(
            units,
            vec![
                (1, b"{\"a\":1}\n".to_vec()),
                (4, b"{\"b\":2}\r\n".to_vec()),
                (5, b"{\"c\":3}\n".to_vec()),
                (6, b"{\"d\":4}".to_vec()),
            ]
        );
        assert_eq!(sizes, vec![2, 2]);
        assert_eq!(too_long, None);
        // a line of 9 bytes with its line break, over a limit of 8: the error names line 3
        let (units, _, too_long) = batched(b"a\n\n12345678\nb\n", (2, 3), 10, 10, 8);
        assert_eq!(too_long, Some(3));
        assert!(
            units.is_empty(),
            "the batch with the long line is not given"
        );
        // blank text, and a last line without a break
        assert_eq!(batched(b"", (4, 4), 2, 2, 10).1, Vec::<usize>::new());
        assert_eq!(batched(b" \n\t\n", (4, 1), 2, 2, 10).1, Vec::<usize>::new());
        assert_eq!(
            batched(b"x", (4, 1 << 20), 2, 2, 10).0,
            vec![(1, b"x".to_vec())]
        );
    }

    #[test]
    fn a_read_error_comes_after_the_lines_read_before_it() {
        struct Failing(usize);
        impl std::io::Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("gone"));
                }
                // one 4-byte line a call, then the error
                self.0 -= 1;
                buf[..4].copy_from_slice(b"abc\n");
                Ok(4)
            }
        }
        let mut batches = LineBatches::new(Failing(3), 2, 2, 100);
        // the first two lines make a full batch before the error is met
        let first = batches.next_batch().unwrap().unwrap();
        assert_eq!(first.units, 2);
        assert!(matches!(batches.next_batch(), Err(LineError::Io(_))));
    }

    proptest! {
        #[test]
        fn line_batches_of_bounded_bytes_give_every_line_a_line_reader_gives(
            text in proptest::collection::vec(proptest::sample::select(b"ab \t\r\n\n{}".to_vec()), 0..300),
            chunk in 1usize..40,
            block in 1usize..24,
            batch in 1usize..6,
            piece in 1usize..4,
            max_bytes in 1usize..40,
        ) {
            let (units, _, too_long) = batched_bytes(&text, (chunk, block), (batch, piece, 30), max_bytes);
            match naive_units(&text, 30) {
                Ok(want) => {
                    prop_assert_eq!(too_long, None);
                    prop_assert_eq!(&units, &want);
                }
                Err(line) => prop_assert_eq!(too_long, Some(line)),
            }
        }

        #[test]
        fn line_batches_give_every_line_a_line_reader_gives(
            text in proptest::collection::vec(proptest::sample::select(b"ab \t\r\n\n{}".to_vec()), 0..300),
            chunk in 1usize..40,
            block in 1usize..24,
            batch in 1usize..6,
            piece in 1usize..4,
            max in 1usize..30,
        ) {
            let (units, sizes, too_long) = batched(&text, (chunk, block), batch, piece, max);
            match naive_units(&text, max) {
                Ok(want) => {
                    prop_assert_eq!(too_long, None);
                    prop_assert_eq!(&units, &want);
                    // every batch is full but the last
                    if let Some((last, full)) = sizes.split_last() {
                        prop_assert!(full.iter().all(|&n| n == batch));
                        prop_assert!(*last >= 1 && *last <= batch);
                    }
                }
                Err(line) => {
                    prop_assert_eq!(too_long, Some(line));
                    // the full batches before the long line were given, and only lines before it
                    prop_assert!(units.iter().all(|&(n, _)| n < line));
                    prop_assert_eq!(units.len() % batch, 0);
                }
            }
        }
    }
}
