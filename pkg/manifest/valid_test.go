package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var validDir = filepath.Join("..", "..", "testdata", "valid")

// dump renders a set one object per line: address, position, fields
// (sorted, exact text), references (target address or id) and extra
// entries (in order, raw JSON).
func dump(set *Set) string {
	var b strings.Builder
	for _, o := range set.Objects {
		fmt.Fprintf(&b, "%s @%s:", o.Addr, o.Pos)
		var keys []string
		for k := range o.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%q", k, o.Fields[k].Text)
		}
		keys = keys[:0]
		for k := range o.Refs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if r := o.Refs[k]; r.Target != nil {
				fmt.Fprintf(&b, " %s->%s", k, r.Target.Addr)
			} else {
				fmt.Fprintf(&b, " %s->id:%s", k, r.ID)
			}
		}
		for _, x := range o.Extra {
			fmt.Fprintf(&b, " extra.%s=%s", x.Key, x.Raw)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestValid loads every valid manifest and checks the objects it yields.
func TestValid(t *testing.T) {
	t.Chdir(validDir)
	tests := []struct {
		path string
		want string
	}{
		{"minimal-lines.yaml", `
item.sip @minimal-lines.yaml:4:3: description="SIP Trunk"
customer.acme @minimal-lines.yaml:7:3: name="Acme"
customer.acme.file.main @minimal-lines.yaml:10:7: name="Main"
customer.acme.file.main.licence.seats @minimal-lines.yaml:13:11: quantity="5" item->item.sip
customer.acme.file.main.initial.setup @minimal-lines.yaml:15:11: quantity="1" item->item.sip
customer.acme.file.main.recurring.trunk @minimal-lines.yaml:17:11: quantity="2" item->item.sip
`},
		{"unicode.yaml", `
family.téléphonie @unicode.yaml:4:3: name="Téléphonie — VoIP ☎"
item.ligne_sip-2 @unicode.yaml:7:3: description="Ligne SIP « pro » — 2 canaux" family->family.téléphonie
customer.société-générale @unicode.yaml:11:3: main_address_city="Besançon" name="Société Générale des Eaux"
customer.société-générale.file.contrat-2026 @unicode.yaml:15:7: name="Contrat principal 2026"
customer.société-générale.file.contrat-2026.recurring.données @unicode.yaml:18:11: label="Accès données 日本 ✓" quantity="1" item->item.ligne_sip-2
customer.東京 @unicode.yaml:22:3: name="東京テレコム株式会社"
`},
		{"two-files.yaml", `
item.sip @two-files.yaml:4:3: description="SIP Trunk" selling_price_without_tax="19.90"
customer.acme @two-files.yaml:6:3: email_address="billing@acme.test" name="Acme"
customer.acme.file.paris @two-files.yaml:10:7: billing_frequency="1" name="Paris office"
customer.acme.file.paris.recurring.trunk @two-files.yaml:14:11: quantity="2" item->item.sip
customer.acme.file.lyon @two-files.yaml:15:7: billing_frequency="3" name="Lyon office"
customer.acme.file.lyon.recurring.trunk @two-files.yaml:19:11: quantity="1" item->item.sip
`},
		{"extra.yaml", `
family.voip @extra.yaml:4:3: name="VoIP" extra.code="VOIP" extra.rank=1
item.sip @extra.yaml:8:3: description="SIP" family->family.voip extra.internalReference2="SKU-1" extra.weight=0.250 extra.ratio=1e3 extra.big=31 extra.flags=[true,false,null] extra.nested={"a":[1,"2","2026-04-01"],"quote\"d":"<b>&</b>"}
customer.acme @extra.yaml:19:3: name="Acme" extra.payment_mode="sepa" extra.contact_ids=[3,4]
customer.acme.file.main @extra.yaml:23:7: name="Main" extra.payment_day="2026-05-01"
customer.acme.file.main.licence.seats @extra.yaml:27:11: quantity="1" item->item.sip extra.note=null
customer.acme.file.main.initial.setup @extra.yaml:29:11: quantity="1" item->item.sip extra.vat_rate=20.0
customer.acme.file.main.recurring.trunk @extra.yaml:31:11: quantity="1" item->item.sip extra.paused=false
`},
		{"anchors.yaml", `
item.sip @anchors.yaml:4:3: description="SIP"
customer.acme @anchors.yaml:6:3: name="Acme"
customer.acme.file.main @anchors.yaml:9:7: name="Main"
customer.acme.file.main.recurring.base @anchors.yaml:12:11: active="true" commitment="24" quantity="1" item->item.sip
customer.acme.file.main.recurring.more @anchors.yaml:17:11: active="true" commitment="24" quantity="3" item->item.sip
customer.acme.file.main.recurring.labelled @anchors.yaml:20:11: active="true" commitment="24" label="Second trunk" quantity="1" item->item.sip
customer.acme.file.other @anchors.yaml:23:7: name="Other"
customer.acme.file.other.recurring.base @anchors.yaml:26:11: active="true" commitment="24" quantity="1" item->item.sip
`},
		{"ids.yaml", `
item.fibre @ids.yaml:4:3: description="Fibre 1 Gb/s" family->id:7
customer.acme @ids.yaml:8:3: name="Acme"
customer.acme.file.main @ids.yaml:11:7: name="Main"
customer.acme.file.main.licence.seats @ids.yaml:14:11: quantity="5" item->id:42
customer.acme.file.main.recurring.fibre @ids.yaml:16:11: quantity="1" item->item.fibre
`},
		{"exact-text.yaml", `
item.sip @exact-text.yaml:4:3: active_for_recurring_billing="true" billing_frequency="1" description="2026" internal_reference="00123" selling_price_without_tax="19.90"
customer.acme @exact-text.yaml:11:3: charge_vat="false" customer_account="CL000101" main_address_line1="12" main_address_postal_code="01234" name="Acme" phone="+33123456789"
customer.acme.file.main @exact-text.yaml:19:7: name="Main" services_start="2026-04-01"
customer.acme.file.main.licence.seats @exact-text.yaml:23:11: activation_date="2026-02-28" quantity="0.5" renewal_date="2026-03-01" selling_price_without_tax="0.10" item->item.sip
customer.acme.file.main.initial.setup @exact-text.yaml:25:11: discount_rate="0" quantity="1" selling_price_without_tax="150.00" item->item.sip
customer.acme.file.main.initial.setup-2 @exact-text.yaml:26:11: discount_rate="1" quantity="1" selling_price_without_tax="150.00" item->item.sip
`},
		{"multi-document.yaml", `
family.voip @multi-document.yaml:4:3: name="VoIP"
item.sip @multi-document.yaml:7:3: description="SIP" family->family.voip
`},
		{"empty-collections.yaml", `
customer.acme @empty-collections.yaml:6:3: name="Acme"
customer.acme.file.main @empty-collections.yaml:9:7: name="Main"
`},
		{"gitops-dir", `
family.voip @gitops-dir/catalog.yaml:3:3: name="VoIP"
item.sip @gitops-dir/catalog.yaml:5:3: description="SIP" family->family.voip
customer.acme @gitops-dir/customers/acme.yaml:3:3: name="Acme"
customer.acme.file.main @gitops-dir/customers/acme.yaml:6:7: name="Main"
customer.acme.file.main.recurring.trunk @gitops-dir/customers/acme.yaml:9:11: quantity="1" item->item.sip
customer.globex @gitops-dir/customers/globex.yml:3:3: name="Globex"
`},
		// Lines from offers get the addresses of lines written by hand;
		// a file's line overrides the offer's field by field (item_id
		// replacing item, extra entries by key).
		{"offers-dir", `
item.sip @offers-dir/catalog.yaml:3:3: description="SIP Trunk" selling_price_without_tax="19.90"
customer.acme @offers-dir/customers.yaml:2:3: name="Acme"
customer.acme.file.main @offers-dir/customers.yaml:5:7: name="Main"
customer.acme.file.main.recurring.trunk @offers-dir/customers.yaml:9:11: billing_frequency="1" quantity="5" selling_price_without_tax="49.00" item->item.sip
customer.acme.file.main.initial.setup @offers-dir/catalog.yaml:9:7: quantity="1" selling_price_without_tax="150.00" item->item.sip
customer.acme.file.main.licence.seats @offers-dir/customers.yaml:12:11: activation_date="2026-04-01" frequency="12" quantity="5" renewal_date="2027-04-01" item->id:42 extra.note="pack" extra.tier=2
customer.acme.file.main.recurring.fax @offers-dir/customers.yaml:10:11: quantity="1" item->item.sip
customer.globex @offers-dir/customers.yaml:13:3: name="Globex"
customer.globex.file.main @offers-dir/customers.yaml:16:7: name="Main"
customer.globex.file.main.recurring.trunk @offers-dir/catalog.yaml:7:7: billing_frequency="1" quantity="2" selling_price_without_tax="49.00" item->item.sip
customer.globex.file.main.initial.setup @offers-dir/catalog.yaml:9:7: quantity="1" selling_price_without_tax="150.00" item->item.sip
`},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.path] = true
		t.Run(tt.path, func(t *testing.T) {
			set, err := Load(tt.path)
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.path, err)
			}
			if got, want := dump(set), strings.TrimPrefix(tt.want, "\n"); got != want {
				t.Errorf("objects differ\n--- got\n%s--- want\n%s", got, want)
			}
			checkSetInvariants(t, set)
		})
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !tested[e.Name()] {
			t.Errorf("testdata/valid/%s is not checked by TestValid", e.Name())
		}
	}
}

// checkSetInvariants checks what every loaded set guarantees: ByAddr
// indexes Objects, addresses follow parents, children follow their parent,
// references point into the set.
func checkSetInvariants(t *testing.T, set *Set) {
	t.Helper()
	if len(set.ByAddr) != len(set.Objects) {
		t.Errorf("ByAddr has %d entries for %d objects", len(set.ByAddr), len(set.Objects))
	}
	index := map[*Object]int{}
	for i, o := range set.Objects {
		index[o] = i
		if set.ByAddr[o.Addr] != o {
			t.Errorf("ByAddr[%q] is not the object", o.Addr)
		}
		if o.Addr != Address(o.Parent, o.Kind, o.Name) {
			t.Errorf("object %q: address does not match its parent and name", o.Addr)
		}
		if o.Parent != nil {
			if pi, ok := index[o.Parent]; !ok || pi >= i {
				t.Errorf("object %q comes before its parent", o.Addr)
			}
		}
		for _, r := range o.Refs {
			if (r.Target == nil) == (r.ID == "") {
				t.Errorf("object %q: reference %+v must have a target or an id", o.Addr, r)
			}
			if r.Target != nil && set.ByAddr[r.Target.Addr] != r.Target {
				t.Errorf("object %q: reference target %q is not in the set", o.Addr, r.Target.Addr)
			}
		}
	}
}

// TestValidIgnoresHiddenAndOtherFiles checks that a directory's hidden
// entries (.github) and non-YAML files are not loaded.
func TestValidIgnoresHiddenAndOtherFiles(t *testing.T) {
	set, err := Load(filepath.Join(validDir, "gitops-dir"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"catalog.yaml", "customers/acme.yaml", "customers/globex.yml"}
	if len(set.Files) != len(want) {
		t.Fatalf("Files = %q, want %d files", set.Files, len(want))
	}
	for i, f := range set.Files {
		if filepath.ToSlash(f) != filepath.ToSlash(filepath.Join(validDir, "gitops-dir", want[i])) {
			t.Errorf("Files[%d] = %q, want .../%s", i, f, want[i])
		}
	}
}
