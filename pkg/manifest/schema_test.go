package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/schemas"
)

// TestSchemaUpToDate fails when schemas/manifest.schema.json differs from
// what the generator produces from the resource table.
func TestSchemaUpToDate(t *testing.T) {
	got, err := GenerateSchema()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, schemas.Manifest) {
		t.Fatal("schemas/manifest.schema.json is out of date: run go generate ./schemas/")
	}
}

// TestSchemaShape checks the generated schema: it compiles, every property
// has a description, every object but extra refuses unknown keys, and it
// covers every field of the table.
func TestSchemaShape(t *testing.T) {
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(schemas.Manifest, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", doc["$schema"])
	}
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		if s["type"] == "object" && path != "$defs.extra" && s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is not false", path)
		}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			ps := p.(map[string]any)
			if _, ok := ps["$ref"]; !ok {
				if d, _ := ps["description"].(string); d == "" {
					t.Errorf("%s.%s has no description", path, name)
				}
			}
			walk(path+"."+name, ps)
		}
	}
	walk("", doc)
	defs := doc["$defs"].(map[string]any)
	for name, d := range defs {
		walk("$defs."+name, d.(map[string]any))
	}
	for _, s := range resource.All() {
		def, ok := defs[string(s.Kind)].(map[string]any)
		if !ok {
			t.Errorf("no definition for kind %s", s.Kind)
			continue
		}
		props := def["properties"].(map[string]any)
		for _, f := range s.Fields {
			p, ok := props[f.Name].(map[string]any)
			if !ok {
				t.Errorf("%s: no property %s", s.Kind, f.Name)
				continue
			}
			if p["description"] != f.Description {
				t.Errorf("%s.%s: description %q, want the table's %q", s.Kind, f.Name, p["description"], f.Description)
			}
			if f.Type == resource.Reference {
				if _, ok := props[f.IDName]; !ok {
					t.Errorf("%s: no property %s", s.Kind, f.IDName)
				}
			}
		}
		req, _ := def["required"].([]any)
		for _, f := range s.Fields {
			isReq := slices.Contains(req, any(f.Name))
			if want := f.Required && f.Type != resource.Reference; isReq != want {
				t.Errorf("%s.%s: required = %v, want %v", s.Kind, f.Name, isReq, want)
			}
		}
	}
}

// TestSchemaTypesMatchChecks validates one value of each kind against the
// schema and checks that a field accepts exactly the YAML values its table
// type takes (the schema and the typed checks must agree, or a value would
// be reported twice or not at all).
func TestSchemaTypesMatchChecks(t *testing.T) {
	tests := []struct {
		field, value string
		ok           bool
	}{
		{"name", "Acme", true},
		{"name", "75001", true}, // numbers are text in string fields
		{"name", "+33123456789", true},
		{"name", "true", false},
		{"name", "", false},
		{"name", "[a]", false},
		{"charge_vat", "true", true},
		{"charge_vat", "yes", false},
		{"charge_vat", "1", false},
		{"phone", "0123456789", true},
		{"customer_account", "00123", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%s", tt.field, tt.value), func(t *testing.T) {
			src := fmt.Sprintf("customers:\n  acme:\n    name: Acme\n    %s: %s\n", tt.field, tt.value)
			if tt.field == "name" {
				src = fmt.Sprintf("customers:\n  acme:\n    name: %s\n", tt.value)
			}
			set, err := loadBytes(t, src)
			if tt.ok {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if got := set.ByAddr["customer.acme"].Fields[tt.field].Text; got != tt.value {
					t.Errorf("text = %q, want %q", got, tt.value)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
