package manifest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

var examplesDir = filepath.Join("..", "..", "examples")

// TestExampleAcme checks that examples/acme.yaml is the cookbook's
// customer: every value of the cookbook's requests, as exact text.
func TestExampleAcme(t *testing.T) {
	set, err := Load(filepath.Join(examplesDir, "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// addr -> field -> exact text ("->" marks a reference's target).
	want := map[string]map[string]string{
		"family.voip": {"name": "VoIP Services"},
		"item.sip-trunk-2ch": {
			"description": "SIP Trunk — 2 channels", "family": "->family.voip",
			"selling_price_without_tax": "19.90", "billing_frequency": "1", "active_for_recurring_billing": "true",
		},
		"customer.acme": {
			"name": "Acme Telecom SAS", "email_address": "contact@acme-telecom.fr", "phone": "+33123456789",
			"main_address_line1": "12 rue de la Paix", "main_address_postal_code": "75001",
			"main_address_city": "Paris", "main_address_country": "France", "charge_vat": "true",
		},
		"customer.acme.file.main-2026": {
			"name": "Main Contract 2026", "billing_frequency": "1", "services_start": "2026-04-01", "first_invoice": "2026-04-01",
		},
		"customer.acme.file.main-2026.licence.sip-trunk": {
			"item": "->item.sip-trunk-2ch", "quantity": "5", "activation_date": "2026-04-01", "renewal_date": "2027-04-01", "frequency": "12",
		},
		"customer.acme.file.main-2026.initial.installation": {
			"item": "->item.sip-trunk-2ch", "quantity": "1", "label": "Installation fee — SIP Trunk setup", "selling_price_without_tax": "150.00",
		},
		"customer.acme.file.main-2026.recurring.sip-trunk": {
			"item": "->item.sip-trunk-2ch", "quantity": "2", "service_start": "2026-04-01", "first_invoice": "2026-04-01",
			"billing_frequency": "1", "commitment": "24", "active": "true",
		},
	}
	if len(set.Objects) != len(want) {
		t.Errorf("%d objects, want %d", len(set.Objects), len(want))
	}
	for addr, fields := range want {
		o := set.ByAddr[addr]
		if o == nil {
			t.Errorf("no object %s", addr)
			continue
		}
		if n := len(o.Fields) + len(o.Refs); n != len(fields) || len(o.Extra) != 0 {
			t.Errorf("%s: %d fields and %d extra, want exactly %d fields", addr, n, len(o.Extra), len(fields))
		}
		for name, text := range fields {
			if target, ok := strings.CutPrefix(text, "->"); ok {
				if r := o.Refs[name]; r.Target == nil || r.Target.Addr != target {
					t.Errorf("%s.%s refers to %+v, want %s", addr, name, r, target)
				}
				continue
			}
			if got := o.Fields[name].Text; got != text {
				t.Errorf("%s.%s = %q, want %q", addr, name, got, text)
			}
		}
	}
	checkKeyOrder(t, filepath.Join(examplesDir, "acme.yaml"))
}

// checkKeyOrder checks that every object of a manifest file lists its
// fields in the table's (the cookbook's) order.
func checkKeyOrder(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var visit func(s *resource.Spec, obj *yaml.Node)
	visit = func(s *resource.Spec, obj *yaml.Node) {
		last := -1
		for i := 0; i+1 < len(obj.Content); i += 2 {
			key, val := obj.Content[i].Value, obj.Content[i+1]
			if c := specByCollection(s.Children(), key); c != nil {
				for j := 0; j+1 < len(val.Content); j += 2 {
					visit(c, val.Content[j+1])
				}
				continue
			}
			idx := -1
			for fi, f := range s.Fields {
				if f.Name == key || f.IDName == key {
					idx = fi
				}
			}
			if idx < last {
				t.Errorf("%s:%d: %s %q comes before a field that the cookbook lists first", path, obj.Content[i].Line, s.Title, key)
			}
			last = max(last, idx)
		}
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if s := specByCollection(resource.TopLevel(), root.Content[i].Value); s != nil {
			coll := root.Content[i+1]
			for j := 0; j+1 < len(coll.Content); j += 2 {
				visit(s, coll.Content[j+1])
			}
		}
	}
}

// TestExampleGitops checks the repository-shaped example: a catalog and
// at least three customers in their own files, one with two customer
// files, one line referencing an existing item by id.
func TestExampleGitops(t *testing.T) {
	dir := filepath.Join(examplesDir, "gitops")
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	customers, twoFiles, byID := 0, false, false
	fileOf := map[string]string{}
	for _, o := range set.Objects {
		switch o.Kind {
		case resource.Customer:
			customers++
			fileOf[o.Name] = o.Pos.File
			files := 0
			for _, c := range o.Children {
				if c.Kind == resource.CustomerFile {
					files++
				}
			}
			twoFiles = twoFiles || files >= 2
		case resource.Licence, resource.Initial, resource.Recurring:
			byID = byID || o.Refs["item"].ID != ""
		}
	}
	if customers < 3 || len(fileOf) < 3 {
		t.Errorf("%d customers, want at least 3", customers)
	}
	seen := map[string]bool{}
	for name, f := range fileOf {
		if seen[f] || filepath.Base(f) == "catalog.yaml" {
			t.Errorf("customer %s is not in a file of its own (%s)", name, f)
		}
		seen[f] = true
	}
	if !twoFiles {
		t.Error("no customer with two customer files")
	}
	if !byID {
		t.Error("no line referencing an existing item by item_id")
	}
	if filepath.Base(set.Files[0]) != "catalog.yaml" {
		t.Errorf("first file %s, want catalog.yaml", set.Files[0])
	}
}

// TestSchemaComments checks that every example and test manifest that
// names the schema in a yaml-language-server comment names it by a
// relative path that exists, and that the examples all start with it.
func TestSchemaComments(t *testing.T) {
	const prefix = "# yaml-language-server: $schema="
	for _, root := range []string{examplesDir, filepath.Join("..", "..", "testdata")} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && path == filepath.Join(examplesDir, "ci") {
				return filepath.SkipDir // CI workflows, not manifests
			}
			if err != nil || d.IsDir() || !isManifestName(path) {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Scan()
			first := sc.Text()
			rel, ok := strings.CutPrefix(first, prefix)
			if !ok {
				if root == examplesDir {
					t.Errorf("%s does not start with %q", path, prefix)
				}
				return nil
			}
			target := filepath.Join(filepath.Dir(path), rel)
			if _, err := os.Stat(target); err != nil || filepath.Base(target) != "manifest.schema.json" {
				t.Errorf("%s: schema path %s does not name schemas/manifest.schema.json", path, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
