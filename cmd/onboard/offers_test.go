package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// offerCatalog is shared by both sets of TestOffersStoreWhatHandWrittenLinesStore.
const offerCatalog = `families:
  voip: {name: VoIP Services}
items:
  sip-trunk-2ch:
    family: voip
    description: SIP Trunk — 2 channels
    selling_price_without_tax: 19.90
    billing_frequency: 1
`

const offerCustomers = `offers:
  sip-pack:
    recurrings:
      trunk: {item: sip-trunk-2ch, quantity: 2, billing_frequency: 1, selling_price_without_tax: 49.00, commitment: 24}
    initials:
      setup: {item: sip-trunk-2ch, quantity: 1, selling_price_without_tax: 150.00, label: Installation}
    licences:
      seats: {item: sip-trunk-2ch, quantity: 5, frequency: 12, activation_date: 2026-04-01, renewal_date: 2027-04-01}
customers:
  acme:
    name: Acme Telecom SAS
    files:
      main-2026:
        name: Main Contract 2026
        offers: [sip-pack]
  globex:
    name: Globex
    files:
      main-2026:
        name: Main Contract 2026
        offers: [sip-pack]
        recurrings:
          trunk: {quantity: 5}
  initech:
    name: Initech
    files:
      main-2026:
        name: Main Contract 2026
        offers: [sip-pack]
        initials:
          setup: {selling_price_without_tax: 120.00, discount_rate: 0.1}
        recurrings:
          fax: {item: sip-trunk-2ch, quantity: 1}
`

const handCustomers = `customers:
  acme:
    name: Acme Telecom SAS
    files:
      main-2026:
        name: Main Contract 2026
        recurrings:
          trunk: {item: sip-trunk-2ch, quantity: 2, billing_frequency: 1, selling_price_without_tax: 49.00, commitment: 24}
        initials:
          setup: {item: sip-trunk-2ch, quantity: 1, selling_price_without_tax: 150.00, label: Installation}
        licences:
          seats: {item: sip-trunk-2ch, quantity: 5, frequency: 12, activation_date: 2026-04-01, renewal_date: 2027-04-01}
  globex:
    name: Globex
    files:
      main-2026:
        name: Main Contract 2026
        recurrings:
          trunk: {item: sip-trunk-2ch, quantity: 5, billing_frequency: 1, selling_price_without_tax: 49.00, commitment: 24}
        initials:
          setup: {item: sip-trunk-2ch, quantity: 1, selling_price_without_tax: 150.00, label: Installation}
        licences:
          seats: {item: sip-trunk-2ch, quantity: 5, frequency: 12, activation_date: 2026-04-01, renewal_date: 2027-04-01}
  initech:
    name: Initech
    files:
      main-2026:
        name: Main Contract 2026
        recurrings:
          trunk: {item: sip-trunk-2ch, quantity: 2, billing_frequency: 1, selling_price_without_tax: 49.00, commitment: 24}
          fax: {item: sip-trunk-2ch, quantity: 1}
        initials:
          setup: {item: sip-trunk-2ch, quantity: 1, selling_price_without_tax: 120.00, label: Installation, discount_rate: 0.1}
        licences:
          seats: {item: sip-trunk-2ch, quantity: 5, frequency: 12, activation_date: 2026-04-01, renewal_date: 2027-04-01}
`

// TestOffersStoreWhatHandWrittenLinesStore applies three customers written
// with an offer (one as is, one overriding a field, one overriding two and
// adding a line of its own) to one sandbox, and the same lines written by
// hand to another: both sandboxes store exactly the same objects, and both
// states record the same specs at the same addresses.
func TestOffersStoreWhatHandWrittenLinesStore(t *testing.T) {
	stored := map[string]map[resource.Kind]string{}
	specs := map[string]map[string]string{}
	for name, customers := range map[string]string{"offers": offerCustomers, "hand": handCustomers} {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, src := range map[string]string{"catalog.yaml": offerCatalog, "customers.yaml": customers} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sb := startSandbox(t, sandbox.Options{Seed: 1})
		statePath := filepath.Join(t.TempDir(), "state.json")
		r := runOnboard(t, sb.env(), applyArgs(dir, statePath)...)
		if r.code != 0 || !strings.Contains(r.stdout, "Apply complete: 18 created") {
			t.Fatalf("%s: %s", name, r)
		}
		st := mustReadState(t, statePath)
		stored[name] = storedByAddress(t, sb, st)
		specs[name] = map[string]string{}
		for addr, o := range st.Objects {
			b, err := json.Marshal(o.Spec)
			if err != nil {
				t.Fatal(err)
			}
			specs[name][addr] = string(b) + " " + o.Hash
		}
	}
	for _, k := range cookbookKinds {
		got, want := stored["offers"][k], stored["hand"][k]
		if got != want {
			t.Errorf("%s objects differ\n--- with offers\n%s\n--- by hand\n%s", k, got, want)
		}
		if got == "" {
			t.Errorf("no %s stored", k)
		}
	}
	if len(specs["offers"]) < 18 || len(specs["offers"]) != len(specs["hand"]) {
		t.Errorf("state holds %d objects with offers, %d by hand; want 18 objects and their follow-ups each", len(specs["offers"]), len(specs["hand"]))
	}
	for addr, want := range specs["hand"] {
		if got := specs["offers"][addr]; got != want {
			t.Errorf("state %s:\n with offers %s\n by hand     %s", addr, got, want)
		}
	}
}

// storedByAddress renders the sandbox's objects of each kind with ids
// replaced by the addresses the state gives them (the object's own, its
// parent's, its references'), sorted by address: two applies run in
// parallel in different orders, so the ids differ, not what is stored.
func storedByAddress(t *testing.T, sb *e2eSandbox, st *state.State) map[resource.Kind]string {
	t.Helper()
	addrOf := map[resource.Kind]map[int64]string{}
	for addr, o := range st.Objects {
		k := resource.Kind(o.Kind)
		if addrOf[k] == nil {
			addrOf[k] = map[int64]string{}
		}
		if prev, seen := addrOf[k][o.ID]; !seen || len(addr) < len(prev) {
			addrOf[k][o.ID] = addr // the object's, not its follow-up's
		}
	}
	out := map[resource.Kind]string{}
	for _, k := range cookbookKinds {
		s := resource.Get(k)
		refs := map[string]resource.Kind{}
		if p := s.Parent; p != nil {
			for _, w := range []string{p.BodyField, p.QueryField} {
				if w != "" {
					refs[w] = p.Kind
				}
			}
		}
		for _, f := range s.Fields {
			if f.Type == resource.Reference {
				refs[f.WireName()] = f.Target
			}
		}
		var rows []string
		for _, o := range sb.objects(s.Kind) {
			id := storedID(o)
			delete(o, "created_at")
			delete(o, "updated_at")
			o["id"] = addrOf[s.Kind][id]
			for w, k := range refs {
				if v, ok := valueText(o[w]); ok {
					if n, err := strconv.ParseInt(v, 10, 64); err == nil {
						o[w] = addrOf[k][n]
					}
				}
			}
			for _, d := range s.Defaults {
				if d.IDFormat != "" && o[d.Wire] == fmt.Sprintf(d.IDFormat, id) {
					o[d.Wire] = "(from the id)"
				}
			}
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, string(b))
		}
		sort.Strings(rows)
		out[s.Kind] = strings.Join(rows, "\n")
	}
	return out
}

// cookbookKinds are the kinds of the cookbook's seven calls: what the
// three customers are made of.
var cookbookKinds = []resource.Kind{resource.Family, resource.Item, resource.Customer, resource.CustomerFile, resource.Licence, resource.Initial, resource.Recurring}
