package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parseYAML parses every document of a file into yaml.v3 nodes (which keep
// positions and do not expand aliases). A syntax error is one diagnostic.
func parseYAML(file string, data []byte) (docs []*yaml.Node, diags []Diagnostic) {
	defer func() {
		// The parser must never take the process down on hostile input.
		if r := recover(); r != nil {
			docs = nil
			diags = []Diagnostic{{
				Pos:     Pos{File: file, Line: 1, Col: 1},
				Message: fmt.Sprintf("the YAML parser failed on this file: %v", r),
				Hint:    "check the file's syntax",
			}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, []Diagnostic{syntaxError(file, data, err)}
		}
		docs = append(docs, &n)
	}
}

// syntaxError turns a yaml.v3 error ("yaml: line 3: did not find expected
// key") into a positioned diagnostic. yaml.v3 gives only a line, inside
// its message; the column is the first character of that line, or the
// tab that broke the indentation.
func syntaxError(file string, data []byte, err error) Diagnostic {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, tail
				if parserProblems[msg] {
					// yaml.v3 counts lines from 1 for scanner errors
					// but from 0 for parser errors.
					line++
				}
			}
		}
	}
	if line > 0 {
		line = problemLine(data, line, msg)
	}
	d := Diagnostic{Message: "invalid YAML: " + msg, Hint: "check the syntax around this line"}
	switch msg {
	case "did not find expected key":
		d.Hint = "check the indentation: the keys of one mapping start in the same column"
	case "mapping values are not allowed in this context":
		d.Hint = "check the indentation, or quote a value that holds \": \""
	}
	var col int
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok && line == 0 {
		name = strings.TrimSuffix(name, "' referenced")
		d.Message = fmt.Sprintf("unknown anchor %q: the alias *%s has no &%s before it", name, name, name)
		d.Hint = "define the anchor (&" + name + ") before the alias, or fix the alias name"
		line, col = aliasPos(data, name)
	}
	if line == 0 {
		line, col = badCharPos(data)
		if line > 0 {
			d.Hint = "the file must be UTF-8 text without control characters"
		}
	}
	if line <= 0 {
		line, col = 1, 1
	}
	if col == 0 {
		text := lineText(data, line)
		col = 1 + len(text) - len(strings.TrimLeft(text, " "))
		if strings.HasPrefix(strings.TrimLeft(text, " "), "\t") || tabIndented(data, line) {
			d.Hint = "indent with spaces: YAML does not allow tabs for indentation"
		}
		col = runeCol(text, col)
	}
	d.Pos = Pos{File: file, Line: line, Col: col}
	return d
}

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers are 0-based.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// lineText returns line n (1-based) of data, without its newline.
func lineText(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return strings.TrimSuffix(string(data), "\r")
}

// tabIndented reports whether line n or the line after it (yaml.v3 may
// report the line before the problem) is indented with a tab.
func tabIndented(data []byte, n int) bool {
	for _, l := range []int{n, n + 1} {
		t := lineText(data, l)
		if strings.HasPrefix(strings.TrimLeft(t, " "), "\t") {
			return true
		}
	}
	return false
}

// runeCol converts a byte column (1-based) in text to a rune column.
func runeCol(text string, byteCol int) int {
	if byteCol-1 > len(text) {
		return byteCol
	}
	return utf8.RuneCountInString(text[:byteCol-1]) + 1
}

// aliasPos finds the first use of alias *name (yaml.v3 reports an unknown
// anchor without a position).
func aliasPos(data []byte, name string) (line, col int) {
	needle := []byte("*" + name)
	for from := 0; ; {
		i := bytes.Index(data[from:], needle)
		if i < 0 {
			return 0, 0
		}
		i += from
		end := i + len(needle)
		if end == len(data) || bytes.IndexByte([]byte(" \t\r\n,]}"), data[end]) >= 0 {
			before := data[:i]
			line = 1 + bytes.Count(before, []byte("\n"))
			col = 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
			return line, col
		}
		from = end
	}
}

// badCharPos finds the first byte YAML refuses (invalid UTF-8, control
// characters), for errors that yaml.v3 reports without a line.
func badCharPos(data []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size <= 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f ||
			(r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xfffe || r == 0xffff {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0
}

// problemLine finds the line of the mistake behind a yaml.v3 error
// reported at line from. yaml.v3 reports a parser error at the line where
// the enclosing mapping or sequence starts (its context), not where the
// parser stopped: a key indented one space too far five lines below a
// mapping is reported at the mapping. The mistake is on the first line
// whose inclusion makes the file fail with the same message: a prefix of
// the file that stops before it parses, or fails otherwise (cut inside a
// construct). Found by bisection, a few parses of an invalid file only.
func problemLine(data []byte, from int, msg string) int {
	ends := lineEnds(data)
	fails := func(k int) bool {
		err := decodeAll(data[:ends[k-1]])
		if err == nil {
			return false
		}
		m := strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if _, tail, ok := strings.Cut(rest, ": "); ok {
				m = tail
			}
		}
		return m == msg
	}
	lo, hi := max(from, 1), len(ends)
	if lo > hi || !fails(hi) {
		return from
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// lineEnds returns the offset just past each line of data (its newline
// included).
func lineEnds(data []byte) []int {
	var ends []int
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	return ends
}

// decodeAll parses every document of data, returning the first error.
func decodeAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
