// Package project reads the project file, onboard.project: the settings a
// manifest tree shares, such as where its state lives. Its keys are
// checked strictly: a misspelt key is an error at file:line:col with a
// did-you-mean, as in manifests, never a setting silently left out (a
// pipeline would then use the default state, and duplicate on its next
// apply).
package project

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"go.yaml.in/yaml/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/money"
)

// FileName is the project file's name.
const FileName = "onboard.project"

// File is a project file's settings. Each setting is a field whose yaml
// tag is its key in the file: adding a setting is adding a field here
// (Keys, the checks and the hints follow).
type File struct {
	// State is where the project's state lives: a path, relative to the
	// project file, or a postgres:// URL without its password.
	State string `yaml:"state"`
	// Refresh is what plan and apply read from BlueRockTEL first when
	// --refresh is not given: all, changed or none ("" for the default,
	// all).
	Refresh string `yaml:"refresh"`
	// Currency is the currency of every price: an ISO 4217 code ("" for
	// the default, EUR).
	Currency string `yaml:"currency"`
	// VATRate is the VAT added for customers with charge_vat, as written:
	// a percentage ("20%") or a fraction between 0 and 1 ("0.2"); "" for
	// the default. VAT returns it as a fraction.
	VATRate string `yaml:"vat_rate"`
	// Policy is the `policy:` list of money guardrails, kept as written
	// (with its positions) for pkg/policy to compile: this package reads
	// settings, pkg/policy knows CEL. Kind 0 when the file has none.
	Policy yaml.Node `yaml:"policy"`

	// pos is where each key's value is written; src is the file's text
	// (positions inside a multi-line expression are found in it).
	pos map[string]manifest.Pos
	src []byte
}

// Source is the project file's text.
func (f *File) Source() []byte { return f.src }

// Pos returns where the value of key is written (zero when the file does
// not set it).
func (f *File) Pos(key string) manifest.Pos { return f.pos[key] }

// keys are the keys of File's settings in its order; fields maps each
// to its field's index.
var keys, fields = func() ([]string, map[string]int) {
	var ks []string
	m := map[string]int{}
	t := reflect.TypeFor[File]()
	for i := range t.NumField() {
		if key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); key != "" && key != "-" {
			ks = append(ks, key)
			m[key] = i
		}
	}
	return ks, m
}()

// Keys returns the keys a project file may set, in File's order.
func Keys() []string { return append([]string(nil), keys...) }

// Read reads the project file at path; name is how messages call it (a
// path relative to the current directory).
func Read(path, name string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return Parse(data, name)
}

// Parse reads a project file's text. Mistakes are a *manifest.Error: each
// at its position, with how to fix it.
func Parse(data []byte, name string) (*File, error) {
	f := &File{pos: map[string]manifest.Pos{}, src: data}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return f, nil // empty, or only comments
	}
	root := doc.Content[0]
	at := func(n *yaml.Node) manifest.Pos { return manifest.Pos{File: name, Line: n.Line, Col: n.Column} }
	var diags []manifest.Diagnostic
	add := func(n *yaml.Node, hint, format string, args ...any) {
		diags = append(diags, manifest.Diagnostic{Pos: at(n), Message: fmt.Sprintf(format, args...), Hint: hint})
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return f, nil
	}
	if root.Kind != yaml.MappingNode {
		add(root, "write one `key: value` per line, e.g. `state: onboard.state`", "a project file is a mapping of settings")
		return nil, &manifest.Error{Diagnostics: diags}
	}
	v := reflect.ValueOf(f).Elem()
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		idx, known := fields[k.Value]
		switch {
		case !known:
			hint := "the project file's keys are " + strings.Join(Keys(), ", ")
			if best := manifest.Nearest(k.Value, Keys()); best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			}
			add(k, hint, "unknown key %q in the project file", k.Value)
			continue
		case f.pos[k.Value] != manifest.Pos{}:
			add(k, "keep one", "%q is set twice (first at line %d)", k.Value, f.pos[k.Value].Line)
			continue
		}
		f.pos[k.Value] = at(val)
		field := v.Field(idx)
		if node, ok := field.Addr().Interface().(*yaml.Node); ok {
			*node = *val // a structure of its own, checked by its reader
			continue
		}
		// Any YAML shape a field's type takes (a list, a mapping): a value
		// of another shape is refused here, at its position.
		if err := val.Decode(field.Addr().Interface()); err != nil {
			add(val, "write e.g. `"+k.Value+": "+example(k.Value)+"`", "%s takes a %s", k.Value, field.Type())
		}
	}
	if p, ok := f.pos["state"]; ok && strings.TrimSpace(f.State) == "" {
		diags = append(diags, manifest.Diagnostic{Pos: p, Message: "`state:` names no location",
			Hint: "write e.g. `state: onboard.state` or `state: postgres://host/db`"})
	}
	if p, ok := f.pos["refresh"]; ok && !slices.Contains(RefreshModes, f.Refresh) {
		diags = append(diags, manifest.Diagnostic{Pos: p, Message: fmt.Sprintf("refresh must be all, changed or none, not %q", f.Refresh),
			Hint: "write e.g. `refresh: changed` (read only what the manifests change)"})
	}
	if p, ok := f.pos["currency"]; ok {
		if msg, hint := checkCurrency(f.Currency); msg != "" {
			diags = append(diags, manifest.Diagnostic{Pos: p, Message: msg, Hint: hint})
		}
	}
	if p, ok := f.pos["vat_rate"]; ok {
		if _, msg, hint := parseVATRate(f.VATRate); msg != "" {
			diags = append(diags, manifest.Diagnostic{Pos: p, Message: msg, Hint: hint})
		}
	}
	if len(diags) > 0 {
		return nil, &manifest.Error{Diagnostics: diags}
	}
	f.State = strings.TrimSpace(f.State)
	return f, nil
}

// RefreshModes are the values of `refresh:`, as plan's --refresh takes
// them.
var RefreshModes = []string{"all", "changed", "none"}

// example is a value of key, for hints.
func example(key string) string {
	switch key {
	case "state":
		return "onboard.state"
	case "refresh":
		return "changed"
	case "currency":
		return "EUR"
	case "vat_rate":
		return "20%"
	}
	return "..."
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError places a YAML syntax error at its line.
func syntaxError(name string, err error) error {
	msg := err.Error()
	pos := manifest.Pos{File: name}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		pos.Col = 1
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &manifest.Error{Diagnostics: []manifest.Diagnostic{{Pos: pos, Message: "not valid YAML: " + msg,
		Hint: "write one `key: value` per line, e.g. `state: onboard.state`"}}}
}

// VAT is the project's VAT rate as a fraction (0.2 for "20%"), nil when
// the file sets none (the default applies).
func (f *File) VAT() *apd.Decimal {
	if f == nil || f.VATRate == "" {
		return nil
	}
	d, _, _ := parseVATRate(f.VATRate)
	return d
}

// checkCurrency accepts an ISO 4217 code: three capital letters. It
// returns what is wrong and how to fix it, "" when nothing is.
func checkCurrency(s string) (msg, hint string) {
	ok := len(s) == 3
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= 'A' && s[i] <= 'Z'
	}
	if ok {
		return "", ""
	}
	msg = fmt.Sprintf("currency %q is not an ISO 4217 code", s)
	if up := strings.ToUpper(s); len(s) == 3 && up != s {
		msg += fmt.Sprintf(" (did you mean %s?)", up)
	}
	return msg, "write three capital letters, e.g. `currency: EUR`"
}

// parseVATRate reads a VAT rate: a percentage ("20%", "5.5%") or a
// fraction between 0 and 1 ("0.2", "0.055"). It returns what is wrong and
// how to fix it when it is not one.
func parseVATRate(s string) (rate *apd.Decimal, msg, hint string) {
	text, pct := strings.CutSuffix(s, "%")
	d, ok := money.Parse(text)
	if !ok || d.Negative {
		return nil, fmt.Sprintf("vat_rate %q is not a rate", s), "write a percentage (`vat_rate: 20%`) or a fraction between 0 and 1 (`vat_rate: 0.2`)"
	}
	if pct {
		q := new(apd.Decimal)
		if _, err := money.Context().Quo(q, d, apd.New(100, 0)); err != nil {
			return nil, fmt.Sprintf("vat_rate %q is not a rate", s), "write a percentage (`vat_rate: 20%`)"
		}
		d = q
	}
	if d.Cmp(apd.New(1, 0)) > 0 {
		if pct {
			return nil, fmt.Sprintf("vat_rate %q is over 100%%", s), "write the rate, e.g. `vat_rate: 20%`"
		}
		return nil, fmt.Sprintf("vat_rate %q is over 1", s), fmt.Sprintf("write a fraction (`vat_rate: 0.2`) or a percentage (`vat_rate: %s%%`)", text)
	}
	return d, "", ""
}
