package state

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// viaJSON decodes line with encoding/json only: the reference.
func viaJSON(line []byte) (record, error) {
	var r record
	err := json.Unmarshal(line, &r)
	return r, err
}

// sameRecord compares two decoded records (times by instant and offset).
func sameRecord(a, b record) bool {
	_, ao := a.Time.Zone()
	_, bo := b.Time.Zone()
	if !a.Time.Equal(b.Time) || ao != bo {
		return false
	}
	return a.Op == b.Op && a.Addr == b.Addr && a.Kind == b.Kind && a.ID == b.ID &&
		a.Status == b.Status && a.Hash == b.Hash &&
		(a.Spec == nil) == (b.Spec == nil) && maps.Equal(a.Spec, b.Spec) &&
		(a.Returned == nil) == (b.Returned == nil) && maps.Equal(a.Returned, b.Returned)
}

// checkFast asserts the fast path's contract on one line: whatever it
// accepts, encoding/json accepts and decodes identically.
func checkFast(t *testing.T, line []byte) (accepted bool) {
	t.Helper()
	var fast record
	if !fastDecode(line, &fast, new(interner)) {
		return false
	}
	ref, err := viaJSON(line)
	if err != nil {
		t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", line, err)
	}
	if !sameRecord(fast, ref) {
		t.Fatalf("fast path and encoding/json differ on %q:\nfast %+v\njson %+v", line, fast, ref)
	}
	return true
}

func TestFastDecodeFallsBack(t *testing.T) {
	base := `{"op":"put","addr":"family.a","kind":"family","id":5,"status":"created","hash":"h","spec":{"name":"VoIP"},"time":"2025-01-01T00:00:00Z"}`
	tests := []struct {
		name string
		line string
		fast bool // the fast path must take it
	}{
		{"canonical", base, true},
		{"empty maps and offset time", `{"op":"put","addr":"a","kind":"k","status":"pending","hash":"","spec":{},"returned":{},"time":"2025-01-01T02:00:00+02:00"}`, true},
		{"non-ASCII", `{"op":"put","addr":"a","kind":"k","status":"created","hash":"","spec":{"description":"SIP Trunk — 2 canaux, été"},"time":"2025-01-01T00:00:00Z"}`, true},
		{"negative id", strings.Replace(base, `"id":5`, `"id":-5`, 1), true},
		{"whitespace", strings.Replace(base, `,"kind"`, `, "kind"`, 1), false},
		{"escaped quote", strings.Replace(base, `"VoIP"`, `"Vo\"IP"`, 1), false},
		{"unicode escape", strings.Replace(base, `"VoIP"`, `"Vo\u00e9IP"`, 1), false},
		{"unknown key", strings.Replace(base, `"op":"put"`, `"op":"put","extra":1`, 1), false},
		{"key in other case", strings.Replace(base, `"addr"`, `"ADDR"`, 1), false},
		{"repeated key", strings.Replace(base, `"kind":"family"`, `"kind":"family","kind":"item"`, 1), false},
		{"repeated map", strings.Replace(base, `"spec":{"name":"VoIP"}`, `"spec":{"a":"1"},"spec":{"b":"2"}`, 1), false},
		{"null value", strings.Replace(base, `"hash":"h"`, `"hash":null`, 1), false},
		{"number in map", strings.Replace(base, `"VoIP"`, `1`, 1), false},
		{"fractional id", strings.Replace(base, `"id":5`, `"id":5.0`, 1), false},
		{"exponent id", strings.Replace(base, `"id":5`, `"id":5e2`, 1), false},
		{"leading zero id", strings.Replace(base, `"id":5`, `"id":05`, 1), false},
		{"overflowing id", strings.Replace(base, `"id":5`, `"id":99999999999999999999`, 1), false},
		{"string id", strings.Replace(base, `"id":5`, `"id":"5"`, 1), false},
		{"invalid UTF-8", strings.Replace(base, `VoIP`, "Vo\xffIP", 1), false},
		{"control character", strings.Replace(base, `VoIP`, "Vo\tIP", 1), false},
		{"trailing bytes", base + "x", false},
		{"trailing comma", strings.Replace(base, `}`, `,}`, 1), false},
		{"bad time", strings.Replace(base, `2025-01-01T00:00:00Z`, `2025-13-01`, 1), false},
		{"truncated", base[:40], false},
		{"not an object", `[1,2]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkFast(t, []byte(tc.line)); got != tc.fast {
				t.Fatalf("fast path took it: %v, want %v", got, tc.fast)
			}
			// Either way decodeRecord agrees with encoding/json.
			var r record
			err := decodeRecord([]byte(tc.line), &r, nil)
			ref, refErr := viaJSON([]byte(tc.line))
			if (refErr != nil) != (err != nil) {
				t.Fatalf("decodeRecord err %v, encoding/json err %v", err, refErr)
			}
			if err == nil && !sameRecord(r, ref) {
				t.Fatalf("decodeRecord %+v, encoding/json %+v", r, ref)
			}
		})
	}
}

// Whatever the text of an object, what is written reads back the same,
// through the fast path or the fallback.
func TestRecordRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", "&", "<", ">", "\"", "\\", "/", "\n", "\t", "\x01", "é", "—", "€", "😀", "\u2028", ".", "@", "19.90"}
	randStr := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	fastCount := 0
	for i := range 2000 {
		o := Object{Addr: "a" + randStr(), Kind: "k" + randStr(), ID: rng.Int64N(1 << 40), Status: StatusCreated, Hash: randStr(),
			Time: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()}
		if rng.IntN(3) > 0 {
			o.Spec = map[string]string{}
			for range rng.IntN(8) {
				o.Spec[randStr()] = randStr()
			}
		}
		if rng.IntN(2) == 0 {
			o.Returned = map[string]string{randStr(): randStr()}
		}
		line, err := encodePut(&o)
		if err != nil {
			t.Fatal(err)
		}
		body := line[:len(line)-1]
		if checkFast(t, body) {
			fastCount++
		}
		var r record
		if err := decodeRecord(body, &r, new(interner)); err != nil {
			t.Fatalf("object %d: %v\n%s", i, err, line)
		}
		want := record{Op: opPut, Object: o}
		if len(o.Spec) == 0 {
			want.Spec = nil // omitempty
		}
		if !sameRecord(r, want) {
			t.Fatalf("object %d round trip:\ngot  %+v\nwant %+v\n%s", i, r, want, line)
		}
	}
	if fastCount == 0 {
		t.Fatal("no record took the fast path")
	}
}

// FuzzFastDecode: the fast path never accepts what encoding/json would
// decode differently (go test -fuzz FuzzFastDecode ./pkg/state/).
func FuzzFastDecode(f *testing.F) {
	for i := range 3 {
		for _, st := range []Status{StatusCreated, StatusPending} {
			o := sampleObject(i, st)
			line, err := encodePut(&o)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(line[:len(line)-1])
		}
	}
	rmLine, _ := encodeRm("family.a", time.Unix(0, 0).UTC())
	f.Add(rmLine[:len(rmLine)-1])
	f.Fuzz(func(t *testing.T, line []byte) {
		checkFast(t, line)
	})
}
