package generate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// TestWriteLoads generates sets of several sizes and loads them: valid,
// 2 + 5*N objects, chunked files, unique customer names and emails.
func TestWriteLoads(t *testing.T) {
	for _, n := range []int{0, 1, generate.PerFile, generate.PerFile + 1, 1000} {
		dir := t.TempDir()
		if err := generate.Write(dir, n, 7); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			// The catalog alone is a valid set.
			set, err := manifest.Load(dir)
			if err != nil || len(set.Objects) != 2 {
				t.Fatalf("n=0: %v", err)
			}
			continue
		}
		set, err := manifest.Load(dir)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if got := len(set.Objects); got != 2+5*n {
			t.Errorf("n=%d: %d objects, want %d", n, got, 2+5*n)
		}
		wantFiles := 1 + (n+generate.PerFile-1)/generate.PerFile
		if len(set.Files) != wantFiles {
			t.Errorf("n=%d: %d files, want %d", n, len(set.Files), wantFiles)
		}
		names, emails := map[string]bool{}, map[string]bool{}
		for _, o := range set.Objects {
			if o.Kind != resource.Customer {
				continue
			}
			name, email := o.Fields["name"].Text, o.Fields["email_address"].Text
			if names[name] || emails[email] {
				t.Fatalf("n=%d: customer %s repeats a name or email (%q, %q)", n, o.Addr, name, email)
			}
			names[name], emails[email] = true, true
			if len(o.Children) != 1 || len(o.Children[0].Children) != 3 {
				t.Fatalf("n=%d: customer %s does not have one file with three lines", n, o.Addr)
			}
		}
		if len(names) != n {
			t.Errorf("n=%d: %d customers", n, len(names))
		}
	}
}

// TestDeterministic checks that a seed gives the same set, byte for byte,
// and another seed a different one.
func TestDeterministic(t *testing.T) {
	a, b, c := generate.Files(300, 1), generate.Files(300, 1), generate.Files(300, 2)
	if len(a) != len(b) {
		t.Fatal("file counts differ for one seed")
	}
	same := true
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("file %s differs for one seed", a[i].Name)
		}
		same = same && bytes.Equal(a[i].Data, c[i].Data)
	}
	if same {
		t.Error("seeds 1 and 2 give the same set")
	}
}

// TestWriteMatchesFiles checks that Write writes what Files returns, with
// every file well under the loader's size limit.
func TestWriteMatchesFiles(t *testing.T) {
	dir := t.TempDir()
	if err := generate.Write(dir, 600, 3); err != nil {
		t.Fatal(err)
	}
	for _, f := range generate.Files(600, 3) {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, f.Data) {
			t.Errorf("%s differs from Files", f.Name)
		}
		if len(data) > manifest.MaxFileSize/10 {
			t.Errorf("%s is %d bytes", f.Name, len(data))
		}
	}
	if err := generate.Write(dir, -1, 0); err == nil {
		t.Error("negative count accepted")
	}
}

// TestHazardsLoad generates hazard sets: valid, the expected objects, and
// the hazards really there.
func TestHazardsLoad(t *testing.T) {
	for _, n := range []int{1, 12, generate.PerFile + 3} {
		dir := t.TempDir()
		if err := generate.WriteHazards(dir, n, 3); err != nil {
			t.Fatal(err)
		}
		set, err := manifest.Load(dir)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if got, want := len(set.Objects), generate.HazardFamilies+generate.HazardItems+5*n; got != want {
			t.Errorf("n=%d: %d objects, want %d", n, got, want)
		}
		names := map[string]bool{}
		seen := map[string]int{}
		for _, o := range set.Objects {
			for name, v := range o.Fields {
				switch {
				case strings.Contains(v.Text, ","):
					seen["comma"]++
				case strings.Contains(v.Text, "'"):
					seen["apostrophe"]++
				}
				if strings.ContainsAny(v.Text, "éÉèüÎ") {
					seen["accent"]++
				}
				if name == "selling_price_without_tax" && !strings.Contains(v.Text, ".") {
					seen["whole price"]++
				}
				if name == "quantity" && strings.Contains(v.Text, ".") {
					seen["decimal quantity"]++
				}
			}
			switch o.Kind {
			case resource.Customer:
				name := o.Fields["name"].Text
				if names[name] {
					t.Fatalf("n=%d: customer name %q repeats", n, name)
				}
				names[name] = true
				if _, ok := o.Fields["email_address"]; !ok {
					seen["name only"]++
				}
			case resource.Initial, resource.Recurring:
				if _, ok := o.Fields["label"]; !ok {
					seen["no label"]++
				}
			}
		}
		if n < 12 {
			continue
		}
		for _, h := range []string{"comma", "apostrophe", "accent", "whole price", "decimal quantity", "name only", "no label"} {
			if seen[h] == 0 {
				t.Errorf("n=%d: no %s in the hazard set", n, h)
			}
		}
	}
	if a, b := generate.HazardFiles(40, 1), generate.HazardFiles(40, 1); !bytes.Equal(a[1].Data, b[1].Data) {
		t.Error("a hazard set differs for one seed")
	}
}

// TestWithContacts: the set of Files plus, per customer, two contacts
// linked to its file with a billing_next; everything else the same.
func TestWithContacts(t *testing.T) {
	for _, n := range []int{1, generate.PerFile + 1} {
		dir := t.TempDir()
		if err := generate.WriteWithContacts(dir, n, 7); err != nil {
			t.Fatal(err)
		}
		set, err := manifest.Load(dir)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if got := len(set.Objects); got != 2+7*n {
			t.Errorf("n=%d: %d objects, want %d", n, got, 2+7*n)
		}
		pdir := t.TempDir()
		if err := generate.Write(pdir, n, 7); err != nil {
			t.Fatal(err)
		}
		plain, err := manifest.Load(pdir)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range plain.Objects {
			w := set.ByAddr[o.Addr]
			if w == nil {
				t.Fatalf("n=%d: %s is missing with contacts", n, o.Addr)
			}
			for k, v := range o.Fields {
				if w.Fields[k].Text != v.Text {
					t.Errorf("n=%d: %s %s = %q with contacts, %q without", n, o.Addr, k, w.Fields[k].Text, v.Text)
				}
			}
			if o.Kind != resource.CustomerFile {
				continue
			}
			refs := w.Lists["contacts"]
			if len(refs) != 2 || refs[0].Target != set.ByAddr[o.Parent.Addr+".contact.billing"] || refs[1].Target != set.ByAddr[o.Parent.Addr+".contact.tech"] {
				t.Errorf("n=%d: %s links %+v, want its customer's billing and tech", n, o.Addr, refs)
			}
			if w.Fields["billing_next"].Text == "" {
				t.Errorf("n=%d: %s has no billing_next", n, o.Addr)
			}
		}
	}
}
