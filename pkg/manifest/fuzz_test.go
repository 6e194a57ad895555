package manifest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// FuzzLoad feeds arbitrary bytes to the loader as one manifest file. It
// must never panic; every diagnostic must carry a position; and a set it
// accepts must be safe to send (exact, well-formed wire texts).
func FuzzLoad(f *testing.F) {
	for _, root := range []string{filepath.Join("..", "..", "testdata"), filepath.Join("..", "..", "examples")} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isManifestName(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				f.Add(data)
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	f.Add([]byte(aliasBomb()))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("customers: {acme: {<<: [*x]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := load([]source{{path: "fuzz.yaml", data: data, read: true}})
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("plain error for file content: %v", err)
			}
			if len(me.Diagnostics) == 0 {
				t.Fatal("an Error without diagnostics")
			}
			for _, d := range me.Diagnostics {
				if d.Pos.File != "fuzz.yaml" || d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Fatalf("diagnostic without a position: %#v", d)
				}
				if d.Message == "" {
					t.Fatalf("diagnostic without a message: %#v", d)
				}
			}
			return
		}
		checkSetInvariants(t, set)
		for _, o := range set.Objects {
			checkWireTexts(t, o)
		}
	})
}

// checkWireTexts checks that a valid object's values can be sent as they
// are: EncodeBody writes numbers and booleans as raw JSON.
func checkWireTexts(t *testing.T, o *Object) {
	t.Helper()
	for name, v := range o.Fields {
		ok := true
		switch v.Type {
		case resource.Integer:
			ok = isPlainInteger(v.Text) && v.Text[0] != '+'
		case resource.Decimal:
			ok = isPlainDecimal(v.Text)
		case resource.Boolean:
			ok = v.Text == "true" || v.Text == "false"
		case resource.Date:
			ok = isDateShape(v.Text)
		}
		if !ok {
			t.Fatalf("%s.%s: %s text %q cannot be sent", o.Addr, name, v.Type, v.Text)
		}
	}
	for _, r := range o.Refs {
		if r.Target == nil && !isPlainInteger(r.ID) {
			t.Fatalf("%s: reference id %q cannot be sent", o.Addr, r.ID)
		}
	}
	for _, x := range o.Extra {
		if !json.Valid(x.Raw) {
			t.Fatalf("%s: extra %s is not JSON: %s", o.Addr, x.Key, x.Raw)
		}
	}
}
