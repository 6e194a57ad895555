package state

import (
	"strconv"
	"unicode/utf8"
)

// fastDecode decodes a record line in the exact form this package writes
// (no whitespace, known keys once each, strings without escapes, valid
// UTF-8) several times faster than encoding/json, which dominates the cost
// of reading a large state. It returns false for anything else, and the
// caller then uses encoding/json: the fast path only ever accepts input
// that encoding/json decodes to the same record (FuzzFastDecode checks).
func fastDecode(line []byte, r *record, in *interner) bool {
	p := parser{b: line, in: in}
	if !p.byte('{') {
		return false
	}
	var seen uint16
	for first := true; ; first = false {
		if p.byte('}') {
			return p.i == len(p.b)
		}
		if !first && !p.byte(',') {
			return false
		}
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		bit, ok := fieldBit[string(key)]
		if !ok || seen&bit != 0 {
			return false // unknown or repeated: encoding/json's rules apply
		}
		seen |= bit
		switch bit {
		case bitOp:
			ok = p.strField(&r.Op)
		case bitAddr:
			ok = p.strField(&r.Addr)
		case bitKind:
			ok = p.internField(&r.Kind)
		case bitStatus:
			var s string
			ok = p.internField(&s)
			r.Status = Status(s)
		case bitHash:
			ok = p.strField(&r.Hash)
		case bitID:
			r.ID, ok = p.int()
		case bitSpec:
			r.Spec, ok = p.strMap()
		case bitReturned:
			r.Returned, ok = p.strMap()
		case bitFile:
			ok = p.internField(&r.File)
		case bitEnded:
			ok = p.internField(&r.Ended)
		case bitTime:
			var raw []byte
			if raw, ok = p.str(); ok {
				ok = r.Time.UnmarshalText(raw) == nil
			}
		}
		if !ok {
			return false
		}
	}
}

// Bits naming the record fields, to refuse repeated keys.
const (
	bitOp uint16 = 1 << iota
	bitAddr
	bitKind
	bitStatus
	bitHash
	bitID
	bitSpec
	bitReturned
	bitTime
	bitFile
	bitEnded
)

var fieldBit = map[string]uint16{
	"op": bitOp, "addr": bitAddr, "kind": bitKind, "status": bitStatus, "hash": bitHash,
	"id": bitID, "spec": bitSpec, "returned": bitReturned, "time": bitTime,
	"file": bitFile, "ended": bitEnded,
}

// parser walks one line.
type parser struct {
	b  []byte
	i  int
	in *interner
}

// interner shares the strings that repeat from record to record (kinds,
// statuses, spec keys, short values such as "1" or "19.90"): a large state
// then costs far fewer allocations and less memory. One per goroutine.
type interner map[string]string

// internMax bounds what is interned, and how many: addresses and hashes are
// unique and would only fill the table.
const (
	internMaxLen     = 24
	internMaxEntries = 4096
)

// get returns b as a string, shared with earlier equal ones when short.
func (in *interner) get(b []byte) string {
	if in == nil || len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := (*in)[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if *in == nil {
		*in = make(interner, 64)
	}
	if len(*in) < internMaxEntries {
		(*in)[s] = s
	}
	return s
}

// byte consumes c if it is next.
func (p *parser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str consumes a string without escapes or control characters, in valid
// UTF-8, and returns its content.
func (p *parser) str() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start, ascii := p.i, true
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// strField consumes a string value into dst.
func (p *parser) strField(dst *string) bool {
	s, ok := p.str()
	if ok {
		*dst = string(s)
	}
	return ok
}

// internField consumes a string value that often repeats into dst.
func (p *parser) internField(dst *string) bool {
	s, ok := p.str()
	if ok {
		*dst = p.in.get(s)
	}
	return ok
}

// int consumes an integer in JSON's form (no leading zeros, no fraction or
// exponent) that fits an int64.
func (p *parser) int() (int64, bool) {
	start := p.i
	p.byte('-')
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	if n == 0 || (n > 1 && p.b[digits] == '0') {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	v, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return v, err == nil
}

// strMap consumes an object of string values.
func (p *parser) strMap() (map[string]string, bool) {
	if !p.byte('{') {
		return nil, false
	}
	m := make(map[string]string, 8)
	if p.byte('}') {
		return m, true
	}
	for {
		k, ok := p.str()
		if !ok || !p.byte(':') {
			return nil, false
		}
		v, ok := p.str()
		if !ok {
			return nil, false
		}
		m[p.in.get(k)] = p.in.get(v)
		if p.byte('}') {
			return m, true
		}
		if !p.byte(',') {
			return nil, false
		}
	}
}
