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
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| SplitError::Io(e.to_string()))?;
            if buf.is_empty() {
                return Err(SplitError::Syntax("the text ends inside an element".into()));
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b',' | b']' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            out.extend_from_slice(&buf[..take]);
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
