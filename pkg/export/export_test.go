package export

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Acme Telecom SAS", "acme-telecom-sas"},
		{"SIP Trunk — 2 channels", "sip-trunk-2-channels"},
		{"  Société des Eaux, Île-de-France  ", "societe-des-eaux-ile-de-france"},
		{"Müller & Söhne, GmbH", "muller-sohne-gmbh"},
		{"O'Brien's Pub", "o-brien-s-pub"},
		{"Café « Le Zinc »", "cafe-le-zinc"},
		{"true", "true"},
		{"Москва Телеком", "москва-телеком"},
		{"—", ""},
		{"", ""},
		{"A very long customer name that goes on and on beyond forty characters", "a-very-long-customer-name-that-goes-on"},
		{"Averyveryveryveryveryveryveryveryveryverylongword", "averyveryveryveryveryveryveryveryveryver"},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNamerUnique(t *testing.T) {
	n := newNamer()
	var got []string
	for _, b := range []string{"foo", "foo", "foo-2", "bar", "foo"} {
		got = append(got, n.name(b))
	}
	if want := "foo foo-2 foo-2-2 bar foo-3"; strings.Join(got, " ") != want {
		t.Errorf("names %q, want %q", got, want)
	}
}

// TestYAMLString checks that every string YAML reads back as itself, and
// that the ones a person writes plainly stay plain.
func TestYAMLString(t *testing.T) {
	for _, tc := range []struct {
		s     string
		plain bool
	}{
		{"Acme Telecom SAS", true},
		{"12 rue de la Paix", true},
		{"Dupont, Fils & Cie", true},
		{"L'Atelier d'Émile", true},
		{"SIP Trunk — 2 channels", true},
		{"Fibre 500 Mb/s (existing catalog item)", true},
		{"75001", false},
		{"+33123456789", false},
		{"2026-04-01", false},
		{"12:30", false},
		{"1 2:30", false},
		{"true", false},
		{"No", false},
		{"null", false},
		{"~", false},
		{"0x1F", false},
		{".5", false},
		{"-", false},
		{"- item", false},
		{"a: b", false},
		{"a #b", false},
		{"key:", false},
		{"#hash", false},
		{"&anchor", false},
		{"*alias", false},
		{"!tag", false},
		{"@at", false},
		{"`tick", false},
		{"[x]", false},
		{"{x}", false},
		{"\"quoted\"", false},
		{"'single'", false},
		{"%pct", false},
		{"line\nbreak", false},
		{"tab\there", false},
		{" lead", false},
		{"trail ", false},
		{"", false},
		{"« Le Zinc »", true},
	} {
		y := yamlString(tc.s)
		if plain := y == tc.s; plain != tc.plain {
			t.Errorf("yamlString(%q) = %s: plain %v, want %v", tc.s, y, plain, tc.plain)
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte("k: "+y+"\n"), &m); err != nil {
			t.Errorf("yamlString(%q) = %s: not YAML: %v", tc.s, y, err)
			continue
		}
		if got, ok := m["k"].(string); !ok || got != tc.s {
			t.Errorf("yamlString(%q) = %s reads back as %#v", tc.s, y, m["k"])
		}
	}
}

func TestFlowJSON(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`"sepa"`, `sepa`},
		{`"123"`, `"123"`},
		{`12.50`, `12.50`},
		{`true`, `true`},
		{`{"b":[1,"x"],"a":{"c":null}}`, `{"a": {"c": null}, "b": [1, "x"]}`},
		{`[]`, `[]`},
	} {
		if got := flowJSON(json.RawMessage(tc.raw)); got != tc.want {
			t.Errorf("flowJSON(%s) = %s, want %s", tc.raw, got, tc.want)
		}
	}
}

// rec builds a record from JSON.
func rec(t *testing.T, js string) *bluerocktel.Record {
	t.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := json.Unmarshal(f["id"], &id); err != nil {
		t.Fatal(err)
	}
	return &bluerocktel.Record{ID: id, Fields: f}
}

// estate is a small tenant with what Build must handle: generated accounts
// (left out unless they tell two customers apart), a default country, a
// family that does not exist (kept by id), same-named objects, decimals
// as held, unknown fields.
func estate(t *testing.T) *Estate {
	node := func(k resource.Kind, js string, parent *Node) *Node {
		r := rec(t, js)
		return &Node{Spec: resource.Get(k), ID: r.ID, Record: r, Parent: parent}
	}
	fam := node(resource.Family, `{"id":7,"name":"VoIP Services","created_at":"2026-01-01T00:00:00Z"}`, nil)
	item := node(resource.Item, `{"id":42,"description":"SIP Trunk — 2 channels","family_id":7,"selling_price_without_tax":"19.90","billing_frequency":"1","active_for_recurring_billing":1,"active":true,"internal_reference":null}`, nil)
	orphan := node(resource.Item, `{"id":43,"description":"Old item","family_id":99,"selling_price_without_tax":"5.00","active":false}`, nil)
	acme := node(resource.Customer, `{"id":200001,"name":"Acme","email_address":"a@acme.example","customer_account":"CL200001","main_address_country":"France","charge_vat":true,"payment_mode":"sepa","active":true}`, nil)
	acme2 := node(resource.Customer, `{"id":200002,"name":"Acme","customer_account":"CL200002","main_address_country":"Belgique"}`, nil)
	other := node(resource.Customer, `{"id":200003,"name":"Globex","customer_account":"GX-1","main_address_postal_code":"75008","notes":{"vip":true,"tags":["a","b"]}}`, nil)
	file := node(resource.CustomerFile, `{"id":300001,"name":"Main 2026","fileable_type":"customer","fileable_id":200001,"billing_frequency":1,"services_start":"2026-04-01T00:00:00.000000Z"}`, acme)
	nameless := node(resource.CustomerFile, `{"id":300002,"name":null,"fileable_type":"customer","fileable_id":200002}`, acme2)
	l1 := node(resource.Recurring, `{"id":600001,"customer_file_id":300001,"item_id":42,"quantity":"2.50","active":1,"lineKey":"abc"}`, file)
	l2 := node(resource.Recurring, `{"id":600002,"customer_file_id":300001,"item_id":42,"quantity":"1","label":"Second trunk","active":0}`, file) // inactive: exported as such
	lic := node(resource.Licence, `{"id":400001,"customer_file_id":300001,"item_id":43,"quantity":5,"active":true,"renewal_date":null}`, file)
	lost := node(resource.Initial, `{"id":500001,"customer_file_id":300002,"item_id":42,"quantity":1}`, nameless)
	return &Estate{Objects: map[resource.Kind][]*Node{
		resource.Family: {fam}, resource.Item: {item, orphan},
		resource.Customer: {acme, acme2, other}, resource.CustomerFile: {file, nameless},
		resource.Recurring: {l1, l2}, resource.Licence: {lic}, resource.Initial: {lost},
	}, Missing: map[resource.Kind]map[int64]bool{resource.Family: {99: true}}}
}

// TestBuildGolden checks the manifests of a small tenant, with and without
// extra fields, and that they load as a valid set.
func TestBuildGolden(t *testing.T) {
	for _, extra := range []bool{false, true} {
		name := "build"
		if extra {
			name = "build-extra"
		}
		t.Run(name, func(t *testing.T) {
			res, err := Build(estate(t), BuildOptions{IncludeExtra: extra, Schema: "https://example.com/manifest.schema.json"})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range res.Files {
				b.WriteString("=== " + f.Path + "\n")
				b.Write(f.Data)
			}
			for _, w := range res.Warnings {
				b.WriteString("warning: " + w + "\n")
			}
			golden(t, filepath.Join("testdata", name+".golden"), b.String())
			dir := t.TempDir()
			for _, f := range res.Files {
				p := filepath.Join(dir, f.Path)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			set, err := manifest.Load(dir)
			if err != nil {
				t.Fatalf("the export does not load: %v", err)
			}
			objs, err := States(set, res, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != res.Objects || len(objs) != len(set.Objects) {
				t.Errorf("%d state records, %d exported, %d loaded", len(objs), res.Objects, len(set.Objects))
			}
			again, _ := Build(estate(t), BuildOptions{IncludeExtra: extra, Schema: "https://example.com/manifest.schema.json"})
			for i, f := range again.Files {
				if string(f.Data) != string(res.Files[i].Data) {
					t.Errorf("a second build of %s differs", f.Path)
				}
			}
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}
