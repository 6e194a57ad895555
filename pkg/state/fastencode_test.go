package state

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// TestFastEncodePut: the fast encoder writes exactly what encoding/json
// writes, or declines; and it declines only what it must.
func TestFastEncodePut(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 30, 0, 123_000_000, time.UTC)
	base := func() Object {
		return Object{Addr: "customer.acme.file.main", Kind: "file", ID: 501, Status: StatusCreated,
			Hash: "0123abcd", Spec: map[string]string{"name": "Main", "?fileable_id": "@customer.acme", "billing_frequency": "1"},
			Returned: map[string]string{"customer_account": "CL000101"}, Time: at}
	}
	cases := []struct {
		name     string
		edit     func(o *Object)
		declines bool
	}{
		{name: "typical", edit: func(*Object) {}},
		{name: "pending: no id, no returned", edit: func(o *Object) { o.ID, o.Status, o.Returned = 0, StatusPending, nil }},
		{name: "empty maps are omitted", edit: func(o *Object) { o.Spec, o.Returned = map[string]string{}, map[string]string{} }},
		{name: "negative id", edit: func(o *Object) { o.ID = -3 }},
		{name: "zero time", edit: func(o *Object) { o.Time = time.Time{} }},
		{name: "time with offset", edit: func(o *Object) { o.Time = at.In(time.FixedZone("x", 3600+1800)) }},
		{name: "empty strings", edit: func(o *Object) { o.Hash, o.Spec = "", map[string]string{"": ""} }},
		{name: "html characters stay", edit: func(o *Object) { o.Spec["name"] = "Smith & Co <b>" }},
		{name: "quote declines", edit: func(o *Object) { o.Spec["name"] = `say "hi"` }, declines: true},
		{name: "backslash declines", edit: func(o *Object) { o.Addr = `a\b` }, declines: true},
		{name: "unicode declines", edit: func(o *Object) { o.Spec["description"] = "SIP Trunk — 2 channels" }, declines: true},
		{name: "control character declines", edit: func(o *Object) { o.Returned["x"] = "a\tb" }, declines: true},
		{name: "key with quote declines", edit: func(o *Object) { o.Spec[`k"`] = "v" }, declines: true},
		{name: "year 10000 declines", edit: func(o *Object) { o.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, declines: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base()
			c.edit(&o)
			got, ok := fastEncodePut(nil, &o)
			if ok == c.declines {
				t.Fatalf("fastEncodePut accepted = %t, want %t", ok, !c.declines)
			}
			want, wantErr := encodeLine(record{Op: opPut, Object: o})
			if !ok {
				// encodePut falls back to encoding/json.
				line, err := encodePut(&o)
				if (err != nil) != (wantErr != nil) || !bytes.Equal(line, want) {
					t.Fatalf("encodePut fallback = %q, %v; want %q, %v", line, err, want, wantErr)
				}
				return
			}
			if wantErr != nil {
				t.Fatalf("fast path accepted what encoding/json refuses: %v", wantErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("fast encoding differs:\ngot:  %s\nwant: %s", got, want)
			}
		})
	}
}

// TestFastEncodePutRandom compares the two encodings on random objects
// drawn from an alphabet with every kind of character.
func TestFastEncodePutRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	plainChars := []string{"a", "Z", "0", "-", ".", "@", "?", "_", " ", "&", "<", ">", "/", "~"}
	special := []string{"\x7f", `"`, `\`, "\n", "é", "—", "\u2028", "\xff"}
	str := func() string {
		var b bytes.Buffer
		for range rng.IntN(6) {
			if rng.IntN(100) == 0 { // rare, so that a good share of objects has none
				b.WriteString(special[rng.IntN(len(special))])
			} else {
				b.WriteString(plainChars[rng.IntN(len(plainChars))])
			}
		}
		return b.String()
	}
	strMap := func() map[string]string {
		if rng.IntN(3) == 0 {
			return nil
		}
		m := map[string]string{}
		for range rng.IntN(4) {
			m[str()] = str()
		}
		return m
	}
	fast := 0
	for range 5000 {
		o := Object{Addr: str(), Kind: str(), ID: rng.Int64N(3) * rng.Int64(), Status: Status(str()), Hash: str(),
			Spec: strMap(), Returned: strMap(), Time: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()}
		want, err := encodeLine(record{Op: opPut, Object: o})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := fastEncodePut(nil, &o)
		if !ok {
			continue
		}
		fast++
		if !bytes.Equal(got, want) {
			t.Fatalf("fast encoding of %+v differs:\ngot:  %s\nwant: %s", o, got, want)
		}
		var r record
		if err := decodeRecord(bytes.TrimSuffix(got, []byte("\n")), &r, nil); err != nil && o.Addr != "" && o.Kind != "" && o.Status.valid() {
			t.Fatalf("fast encoding does not decode: %v", err)
		}
	}
	if fast < 1000 || fast > 4900 {
		t.Fatalf("%d of 5000 random objects took the fast path: the test checks too little of one path", fast)
	}
}
