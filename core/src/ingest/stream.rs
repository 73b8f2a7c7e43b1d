//! Streaming split of a top-level JSON array into its elements, so that a large export is
//! parsed one element at a time (memory holds one batch of elements, not the file).

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
}
