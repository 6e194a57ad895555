package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// SchemaID is the $id of the generated manifest schema.
const SchemaID = "https://raw.githubusercontent.com/onboardhq/onboard/main/schemas/manifest.schema.json"

// GenerateSchema renders the manifest JSON Schema (2020-12) from the
// resource table. schemas/manifest.schema.json is its output, committed and
// embedded (go generate ./schemas/); a test keeps the two equal.
//
// The schema checks structure and JSON types. It also states the value
// rules an editor can check (minimum, format), but Load reports those from
// its own exact-decimal checks and ignores the schema's verdict on them.
func GenerateSchema() ([]byte, error) {
	defs := obj{}
	for _, s := range resource.All() {
		defs = append(defs, kv{string(s.Kind), kindSchema(s)})
	}
	for _, s := range lineSpecs() {
		defs = append(defs, kv{partDef(s), partSchema(s)})
	}
	defs = append(defs, kv{offerDef, offerSchema()})
	defs = append(defs, kv{resource.ExtraKey, extraSchema()})

	props := obj{}
	for _, s := range resource.TopLevel() {
		props = append(props, kv{s.Collection, collectionSchema(s)})
	}
	props = append(props, kv{OffersKey, offersSchema()})
	props = append(props, kv{RemovedKey, removedSchema()})
	root := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", "onboard manifest"},
		{"description", "A BlueRockTEL onboarding manifest: catalog families and items, and customers with their customer files and billing lines, each keyed by a local name (letters, digits, _ and -) that gives it a stable address. Generated from the resource table; do not edit."},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", props},
		{"$defs", defs},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding manifest schema: %w", err)
	}
	return buf.Bytes(), nil
}

// removedSchema is the `removed:` list: end-of-life decisions for
// objects no longer declared.
func removedSchema() obj {
	ends := make([]string, len(resource.EndNames))
	for i, e := range resource.EndNames {
		ends[i] = string(e)
	}
	return obj{
		{"description", "Decisions for objects removed from the manifests (orphans): until one is decided here, an orphan is reported and left as it is. A decision covers the object and everything it contains."},
		{"type", "array"},
		{"items", obj{
			{"type", "object"},
			{"additionalProperties", false},
			{"properties", obj{
				{"address", obj{{"description", "The address of an object the state knows and the manifests no longer declare (e.g. customer.acme.file.main.recurring.trunk)."}, {"type", "string"}}},
				{"then", obj{{"description", "deactivate (a line or contact: PUT active false), stop (a customer or customer file: PUT services_stop on each file), delete (DELETE, never a customer) or forget (no request: it leaves the state). Which ones a kind allows is in the resource table."}, {"type", "string"}, {"enum", ends}}},
				{"date", obj{{"description", "For stop: the day services stop (YYYY-MM-DD)."}, {"type", "string"}, {"format", "date"}}},
			}},
			{"required", []string{"address", "then"}},
		}},
	}
}

func collectionSchema(s *resource.Spec) obj {
	return collectionOf(s, string(s.Kind))
}

// collectionOf is a collection of kind s whose objects follow $defs/def.
func collectionOf(s *resource.Spec, def string) obj {
	return obj{
		{"description", fmt.Sprintf("%s Keyed by local name.", s.Description)},
		{"type", []string{"object", "null"}},
		{"additionalProperties", obj{{"$ref", "#/$defs/" + def}}},
	}
}

func kindSchema(s *resource.Spec) obj {
	return objectSchema(s, false)
}

// objectSchema is the schema of an object of kind s. A part (a line of an
// offer, or a line of a file that takes offers) has the fields' types but
// no required field: what is required is checked on the merged line.
func objectSchema(s *resource.Spec, part bool) obj {
	props := obj{}
	var required []string
	var refRules []any
	for _, f := range s.Fields {
		if f.Type == resource.ReferenceList {
			props = append(props, kv{f.Name, listSchema(f)}, kv{f.IDName, idListSchema(f)})
			continue
		}
		props = append(props, kv{f.Name, fieldSchema(f)})
		if f.Type == resource.Reference {
			props = append(props, kv{f.IDName, idSchema(f)})
			if part {
				f.Required = false
			}
			refRules = append(refRules, refRule(f))
			continue
		}
		if f.Required && !part {
			required = append(required, f.Name)
		}
	}
	props = append(props, kv{resource.ExtraKey, obj{{"$ref", "#/$defs/" + resource.ExtraKey}}})
	takesOffers := s.Kind == offerHolder
	for _, c := range s.Children() {
		if takesOffers && isLine(c) {
			// Decided by the if/then/else below.
			props = append(props, kv{c.Collection, obj{{"description", collectionSchema(c)[0].v}, {"type", []string{"object", "null"}}}})
			continue
		}
		props = append(props, kv{c.Collection, collectionSchema(c)})
	}
	if takesOffers {
		props = append(props, kv{OffersKey, takeOffersSchema()})
	}
	title, desc := s.Title, s.Description
	if part {
		title += " (part)"
		desc += " A line of an offer, or a line of a customer file that takes offers: a line of the same kind and name in one of the file's offers is overridden field by field; the fields required of a line are checked on the merged line."
	}
	out := obj{
		{"title", title},
		{"description", desc},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", props},
	}
	if takesOffers {
		// A file that takes offers may write partial lines (overrides);
		// one that does not writes whole lines.
		full, parts := obj{}, obj{}
		for _, c := range s.Children() {
			if isLine(c) {
				full = append(full, kv{c.Collection, collectionSchema(c)})
				parts = append(parts, kv{c.Collection, collectionOf(c, partDef(c))})
			}
		}
		out = append(out,
			kv{"if", obj{{"required", []string{OffersKey}}}},
			kv{"then", obj{{"properties", parts}}},
			kv{"else", obj{{"properties", full}}})
	}
	if len(required) > 0 {
		out = append(out, kv{"required", required})
	}
	switch len(refRules) {
	case 0:
	case 1:
		out = append(out, refRules[0].(obj)...)
	default:
		out = append(out, kv{"allOf", refRules})
	}
	return out
}

// refRule says a reference is given by local name or by id, not both, and
// at least one of them when it is required.
func refRule(f resource.Field) obj {
	if f.Required {
		return obj{{"oneOf", []any{
			obj{{"required", []string{f.Name}}},
			obj{{"required", []string{f.IDName}}},
		}}}
	}
	return obj{{"not", obj{{"required", []string{f.Name, f.IDName}}}}}
}

// jsonTypes are the JSON types a field of type t accepts. A string field
// accepts numbers too, kept as written: postal codes and phone numbers
// (75001, +33123456789) are numbers to YAML.
func jsonTypes(t resource.Type) any {
	switch t {
	case resource.String:
		return []string{"string", "number"}
	case resource.Integer:
		return "integer"
	case resource.Decimal:
		return "number"
	case resource.Boolean:
		return "boolean"
	}
	return "string" // Date, and a Reference by local name
}

func fieldSchema(f resource.Field) obj {
	out := obj{{"description", f.Description}, {"type", jsonTypes(f.Type)}}
	switch f.Type {
	case resource.String:
		// The API trims strings and stores a blank one as null.
		out = append(out, kv{"pattern", `^\S(.*\S)?$`})
	case resource.Integer:
		if f.Positive {
			out = append(out, kv{"minimum", json.Number("1")})
		}
	case resource.Decimal:
		if f.Positive {
			out = append(out, kv{"exclusiveMinimum", json.Number("0")})
		}
		lo := f.Min
		if lo == "" && f.NonNegative {
			lo = "0"
		}
		if lo != "" {
			out = append(out, kv{"minimum", json.Number(lo)})
		}
		if f.Max != "" {
			out = append(out, kv{"maximum", json.Number(f.Max)})
		}
		if f.Scale > 0 {
			out = append(out, kv{"multipleOf", json.Number("0." + strings.Repeat("0", f.Scale-1) + "1")})
		}
	case resource.Date:
		out = append(out, kv{"format", "date"})
	}
	return out
}

func idSchema(f resource.Field) obj {
	t := resource.Get(f.Target)
	title := string(f.Target)
	if t != nil {
		title = t.Title
	}
	return obj{
		{"description", fmt.Sprintf("Id of %s that already exists in BlueRockTEL, instead of `%s` (sent as %s).", a(title), f.Name, f.WireName())},
		{"type", "integer"},
		{"minimum", json.Number("1")},
	}
}

// listSchema is a ReferenceList by local names, idListSchema by ids.
func listSchema(f resource.Field) obj {
	return obj{{"description", f.Description}, {"type", "array"},
		{"items", obj{{"type", "string"}}}, {"uniqueItems", true}}
}

func idListSchema(f resource.Field) obj {
	t := resource.Get(f.Target)
	return obj{
		{"description", fmt.Sprintf("Ids of %ss that already exist in BlueRockTEL, with or instead of `%s` (sent together as %s).", t.Title, f.Name, f.WireName())},
		{"type", "array"},
		{"items", obj{{"type", "integer"}, {"minimum", json.Number("1")}}},
		{"uniqueItems", true},
	}
}

func extraSchema() obj {
	return obj{
		{"description", "Additional API fields, sent verbatim in the request body and not checked. Known fields go beside `extra`, not in it."},
		{"type", "object"},
	}
}

// obj is a JSON object that keeps its keys in order, so that the generated
// schema is stable and reads in the table's order.
type obj []kv

type kv struct {
	k string
	v any
}

// MarshalJSON renders the object with keys in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoEscape(p.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalNoEscape(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
