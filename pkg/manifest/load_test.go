package manifest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestExactText checks that values keep the text written: no float
// rounding, no date parsing, no integer conversion of text fields.
func TestExactText(t *testing.T) {
	tests := []struct {
		kind, field, yaml, want string
	}{
		{"item", "selling_price_without_tax", "19.90", "19.90"},
		{"item", "selling_price_without_tax", "150.00", "150.00"},
		{"item", "selling_price_without_tax", "0.10", "0.10"},
		{"item", "selling_price_without_tax", "0.1", "0.1"},
		{"item", "selling_price_without_tax", "12345678901234567890.12", "12345678901234567890.12"},
		{"item", "billing_frequency", "12", "12"},
		{"item", "active_for_initial_billing", "True", "true"}, // YAML spelling, wire spelling
		{"item", "description", "SIP Trunk — 2 channels", "SIP Trunk — 2 channels"},
		{"item", "description", "1e3", "1e3"},
		{"item", "description", ">-\n      folded\n      text", "folded text"},
		{"item", "description", "'it''s # not a comment'", "it's # not a comment"},
		{"item", "internal_reference", "!!str 123", "123"},
		{"item", "internal_reference", "0012", "0012"},
		{"customer", "phone", "+33123456789", "+33123456789"},
		{"customer", "phone", "0123456789", "0123456789"},
		{"customer", "main_address_postal_code", "01234", "01234"},
		{"customer", "main_address_postal_code", "75001", "75001"},
		{"customer", "main_address_postal_code", `"75001"`, "75001"},
		{"customer", "customer_account", "2026-04-01", "2026-04-01"},
		{"file", "services_start", "2026-04-01", "2026-04-01"},
		{"file", "services_start", `"2026-04-01"`, "2026-04-01"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.yaml, func(t *testing.T) {
			var src, addr string
			switch tt.kind {
			case "item":
				src = "items:\n  sip:\n    " + tt.field + ": " + tt.yaml + "\n"
				if tt.field != "description" {
					src += "    description: SIP\n"
				}
				addr = "item.sip"
			case "customer":
				src = "customers:\n  acme:\n    name: Acme\n    " + tt.field + ": " + tt.yaml + "\n"
				addr = "customer.acme"
			case "file":
				src = "customers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n        " + tt.field + ": " + tt.yaml + "\n"
				addr = "customer.acme.file.main"
			}
			set, err := loadBytes(t, src)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := set.ByAddr[addr].Fields[tt.field]
			if !ok || v.Text != tt.want {
				t.Errorf("%s = %q (set %v), want %q", tt.field, v.Text, ok, tt.want)
			}
		})
	}
}

// aliasBomb is a billion-laughs document: 9^9 values when expanded.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	for i, c := range "bcdefghi" {
		p := string("abcdefgh"[i])
		b.WriteString(string(c) + ": &" + string(c) + " [" + strings.Repeat("*"+p+",", 8) + "*" + p + "]\n")
	}
	return b.String()
}

// mergeBomb grows mappings through chained merge keys.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("m0: &m0 {k0: v}\n")
	for i := 1; i < 3000; i++ {
		n := itoa(i)
		b.WriteString("m" + n + ": &m" + n + " {<<: *m" + itoa(i-1) + ", k" + n + ": v}\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestAliasBombs checks that alias bombs are refused with a clear message,
// quickly and without a large allocation.
func TestAliasBombs(t *testing.T) {
	for name, src := range map[string]string{"aliases": aliasBomb(), "merges": mergeBomb()} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			diags := diagnostics(t, src)
			runtime.ReadMemStats(&after)
			if len(diags) != 1 || !strings.Contains(diags[0], "alias bomb") {
				t.Fatalf("diagnostics = %q, want one alias bomb", diags)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing the bomb allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestAliasesAllowed checks that ordinary anchors, aliases and merge keys
// work, with explicit keys winning over merged ones.
func TestAliasesAllowed(t *testing.T) {
	var b strings.Builder
	b.WriteString("items:\n  sip: {description: SIP}\ncustomers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n        recurrings:\n")
	b.WriteString("          base: &line {item: sip, quantity: 1, commitment: 24, label: base}\n")
	for i := 0; i < 2000; i++ {
		b.WriteString("          l" + itoa(i) + ": {<<: *line, label: l" + itoa(i) + "}\n")
	}
	set, err := loadBytes(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	o := set.ByAddr["customer.acme.file.main.recurring.l1999"]
	if o == nil {
		t.Fatal("merged line missing")
	}
	if o.Fields["label"].Text != "l1999" || o.Fields["commitment"].Text != "24" || o.Refs["item"].Target == nil {
		t.Errorf("merged line = %+v %+v", o.Fields, o.Refs)
	}
}

// TestMergeOrder checks YAML merge precedence: explicit keys, then the
// first merged mapping.
func TestMergeOrder(t *testing.T) {
	src := `families:
  voip:
    name: VoIP
    extra:
      a: &a {name: first, email_address: a@x}
      b: &b {name: second, phone: "2"}
customers:
  acme:
    <<: [*a, *b]
    main_address_city: Paris
    phone: "1"
`
	set, err := loadBytes(t, src)
	if err != nil {
		t.Fatal(err)
	}
	o := set.ByAddr["customer.acme"]
	want := map[string]string{"name": "first", "email_address": "a@x", "phone": "1", "main_address_city": "Paris"}
	for k, v := range want {
		if o.Fields[k].Text != v {
			t.Errorf("%s = %q, want %q", k, o.Fields[k].Text, v)
		}
	}
}

// TestLoadPlainErrors checks that problems outside manifest content are
// plain errors, not diagnostics.
func TestLoadPlainErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	other := filepath.Join(dir, "other")
	for _, d := range []string{empty, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("families: {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, paths := range map[string][]string{
		"none":        nil,
		"missing":     {filepath.Join(dir, "nope.yaml")},
		"empty dir":   {empty},
		"no manifest": {other},
	} {
		t.Run(name, func(t *testing.T) {
			set, err := Load(paths...)
			var me *Error
			if err == nil || errors.As(err, &me) {
				t.Fatalf("Load = %v, %v; want a plain error", set, err)
			}
		})
	}
}

// TestTooLarge checks that a file over 10 MiB is refused from its size,
// without reading it.
func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(path)
	runtime.ReadMemStats(&after)
	var me *Error
	if !errors.As(err, &me) || len(me.Diagnostics) != 1 {
		t.Fatalf("Load = %v; want one diagnostic", err)
	}
	d := me.Diagnostics[0]
	if d.Pos.Line != 1 || !strings.Contains(d.Message, "limited to 10 MiB") {
		t.Errorf("diagnostic = %s", d)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing the file allocated %d bytes", alloc)
	}
	// Exactly the limit is fine (it is then read, and is not YAML here).
	if err := os.Truncate(path, MaxFileSize); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || strings.Contains(err.Error(), "10 MiB") {
		t.Errorf("Load at the limit = %v", err)
	}
}

// TestFilesAndOrder checks path handling: a file reached twice is loaded
// once, a symlinked file is followed, files load in order, and
// diagnostics are sorted by file (load order), line and column.
func TestFilesAndOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	catalog := write("set/a-catalog.yaml", "families:\n  voip: {name: VoIP}\n")
	write("set/b/cust.yml", "customers:\n  acme: {name: Acme}\n")
	outside := write("outside.yaml", "items:\n  sip: {description: SIP, family: voip}\n")
	if err := os.Symlink(outside, filepath.Join(dir, "set", "c-link.yaml")); err != nil {
		t.Fatal(err)
	}
	set, err := Load(filepath.Join(dir, "set"), catalog)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"set/a-catalog.yaml", "set/b/cust.yml", "set/c-link.yaml"}
	if len(set.Files) != len(want) {
		t.Fatalf("Files = %q", set.Files)
	}
	for i, w := range want {
		if set.Files[i] != filepath.Join(dir, w) {
			t.Errorf("Files[%d] = %q, want %q", i, set.Files[i], w)
		}
	}
	if r := set.ByAddr["item.sip"].Refs["family"]; r.Target != set.ByAddr["family.voip"] {
		t.Error("cross-file reference not resolved to the family object")
	}

	// Diagnostics: file order first, then line and column.
	write("bad/1.yaml", "items:\n  sip: {description: SIP, billing_frequency: 0}\nfamilies:\n  voip: {nam: VoIP}\n")
	write("bad/2.yaml", "families:\n  voip: {name: VoIP}\n")
	_, err = Load(filepath.Join(dir, "bad"))
	var me *Error
	if !errors.As(err, &me) {
		t.Fatal(err)
	}
	var got []string
	for _, d := range me.Diagnostics {
		got = append(got, filepath.Base(d.Pos.File)+":"+itoa(d.Pos.Line)+":"+itoa(d.Pos.Col))
	}
	// (nam: one diagnostic, its did-you-mean, not also "missing name")
	wantPos := []string{"1.yaml:2:46", "1.yaml:4:10", "2.yaml:2:3"}
	if strings.Join(got, " ") != strings.Join(wantPos, " ") {
		t.Errorf("positions = %q, want %q (%v)", got, wantPos, me.Diagnostics)
	}
	if !strings.HasSuffix(me.Error(), "(and 2 more problems)") {
		t.Errorf("Error() = %q", me.Error())
	}
}

// TestDiagnosticJSON checks the JSON form used by `validate --output json`.
func TestDiagnosticJSON(t *testing.T) {
	d := Diagnostic{Pos: Pos{File: "a.yaml", Line: 3, Col: 5}, Message: "m", Hint: "h"}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"position":{"file":"a.yaml","line":3,"col":5},"message":"m","hint":"h"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

// TestNaturalKeyCollisions checks which objects a lookup by natural key
// would confuse, following the table: the first complete key of each.
func TestNaturalKeyCollisions(t *testing.T) {
	tests := []struct {
		name, customers string
		collide         bool
	}{
		{"same name, different emails", "a: {name: X, email_address: a@x}\n  b: {name: X, email_address: b@x}", false},
		{"same name and email", "a: {name: X, email_address: a@x}\n  b: {name: X, email_address: a@x}", true},
		{"account set on one only", "a: {name: X, email_address: a@x, customer_account: CL1}\n  b: {name: X, email_address: a@x}", true},
		{"different accounts", "a: {name: X, customer_account: CL1}\n  b: {name: X, customer_account: CL2}", false},
		{"same account", "a: {name: X, customer_account: CL1}\n  b: {name: Y, customer_account: CL1}", true},
		{"name only vs name and email", "a: {name: X}\n  b: {name: X, email_address: b@x}", true}, // a is looked up by name alone
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := diagnostics(t, "customers:\n  "+tt.customers+"\n")
			if got := len(diags) > 0; got != tt.collide {
				t.Errorf("diagnostics = %q, want collision %v", diags, tt.collide)
			}
			for _, d := range diags {
				if !strings.Contains(d, `customer "b" has the same`) {
					t.Errorf("diagnostic %q is not on the later customer", d)
				}
			}
		})
	}
}

// TestIdenticalLines checks the line duplicate rule: same kind, same file,
// same item and fields (decimals by value), extra included.
func TestIdenticalLines(t *testing.T) {
	head := "items:\n  sip: {description: SIP}\n  fax: {description: Fax}\ncustomers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n"
	tests := []struct {
		name, lines string
		dup         bool
	}{
		{"identical", "recurrings:\n          a: {item: sip, quantity: 1}\n          b: {item: sip, quantity: 1}", true},
		{"same value, other text", "recurrings:\n          a: {item: sip, quantity: 1.50}\n          b: {item: sip, quantity: 1.5}", true},
		{"other quantity", "recurrings:\n          a: {item: sip, quantity: 1}\n          b: {item: sip, quantity: 2}", false},
		{"other item", "recurrings:\n          a: {item: sip, quantity: 1}\n          b: {item: fax, quantity: 1}", false},
		{"id and name", "recurrings:\n          a: {item: sip, quantity: 1}\n          b: {item_id: 5, quantity: 1}", false},
		{"other label", "initials:\n          a: {item: sip, quantity: 1, label: x}\n          b: {item: sip, quantity: 1, label: y}", false},
		{"other extra", "initials:\n          a: {item: sip, quantity: 1, extra: {k: 1}}\n          b: {item: sip, quantity: 1, extra: {k: 2}}", false},
		{"same extra, other order", "initials:\n          a: {item: sip, quantity: 1, extra: {j: 1, k: 2}}\n          b: {item: sip, quantity: 1, extra: {k: 2, j: 1}}", true},
		{"other kinds", "initials:\n          a: {item: sip, quantity: 1}\n        recurrings:\n          a: {item: sip, quantity: 1}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := diagnostics(t, head+"        "+tt.lines+"\n")
			if got := len(diags) > 0; got != tt.dup {
				t.Errorf("diagnostics = %q, want duplicate %v", diags, tt.dup)
			}
		})
	}
	// Lines with the same content in two files of a customer are distinct.
	two := "items:\n  sip: {description: SIP}\ncustomers:\n  acme:\n    name: Acme\n    files:\n" +
		"      a: {name: A, recurrings: {l: {item: sip, quantity: 1}}}\n" +
		"      b: {name: B, recurrings: {l: {item: sip, quantity: 1}}}\n"
	if diags := diagnostics(t, two); diags != nil {
		t.Errorf("lines of two files reported: %q", diags)
	}
}

// TestAliasRatio checks the relative bound: a small document whose aliases
// expand far beyond its own size is refused even below the absolute cap.
func TestAliasRatio(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [" + strings.Repeat("x,", 999) + "x]\nb: [")
	b.WriteString(strings.Repeat("*a,", 199) + "*a]\n") // 200 * 1001 values from ~1200 written
	diags := diagnostics(t, b.String())
	if len(diags) != 1 || !strings.Contains(diags[0], "times the") || !strings.HasPrefix(diags[0], "m.yaml:2:5:") {
		t.Fatalf("diagnostics = %q", diags)
	}
	// The same aliases in a document ten times larger are fine.
	b.WriteString("c: [" + strings.Repeat("y,", 20_000) + "y]\n")
	diags = diagnostics(t, b.String())
	for _, d := range diags {
		if strings.Contains(d, "alias") {
			t.Fatalf("diagnostics = %q", diags)
		}
	}
}

// TestLargeCollection checks lookups in a collection large enough to be
// indexed: errors are located, references resolve, duplicates are found.
func TestLargeCollection(t *testing.T) {
	var b strings.Builder
	b.WriteString("items:\n")
	for i := range 100 {
		b.WriteString("  item-" + itoa(i) + ": {description: Item " + itoa(i) + "}\n")
	}
	b.WriteString("  item-50: {description: Again}\n")
	b.WriteString("  bad: {description: Bad, billing_frequency: \"2\"}\n")
	b.WriteString("customers:\n  acme:\n    name: Acme\n    files:\n      f:\n        name: F\n        recurrings:\n")
	b.WriteString("          a: {item: item-99, quantity: 1}\n          b: {item: item-100, quantity: 1}\n")
	want := []string{
		`m.yaml:102:3: duplicate key "item-50" (first at m.yaml:52:3); a key may appear once in a mapping: remove or rename one`,
		`m.yaml:103:46: billing_frequency must be a whole number, got string "2"; remove the quotes`,
		`m.yaml:112:21: recurring line "b" refers to unknown item "item-100"; did you mean "item-10"?`,
	}
	got := diagnostics(t, b.String())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestKindOf(t *testing.T) {
	cases := []struct {
		addr, kind string // kind "" = an error
	}{
		{"family.voip", "family"},
		{"customer.acme", "customer"},
		{"customer.acme.file.main", "file"},
		{"customer.acme.file.main.licence.seats", "licence"},
		{"customer", ""},
		{"customer.acme.file", ""},
		{"widget.x", ""},
		{"licence.seats", ""},               // lines live in files
		{"customer.acme.licence.seats", ""}, // ... not directly in customers
		{"family.voip.file.main", ""},       // files live in customers
		{"customer..file.main", ""},         // empty name
		{"customer.acme.contact.billing", "contact"},
		{"prospect.globex.prospect-file.pilot", "prospect-file"},
		{"customer.acme.file.main.links", "file"},           // the file's follow-up PUT
		{"customer.acme.file.main.licence.seats.links", ""}, // lines have none
		{"customer.acme.file.main.extras", ""},
		{"customer.acme.links", ""},
	}
	for _, c := range cases {
		k, err := KindOf(c.addr)
		if (err != nil) != (c.kind == "") || string(k) != c.kind {
			t.Errorf("KindOf(%q) = %q, %v; want %q", c.addr, k, err, c.kind)
		}
	}
}
