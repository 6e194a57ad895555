// Package resource is the one table of BlueRockTEL resource kinds that
// onboard manages: their API paths, manifest and wire field names, types,
// constraints, how each is attached to its parent and how an existing object
// is found again by its natural key, and what a kind is (an owner, part of
// the catalog, a line, embedded in its parent's GET). It also holds the
// canonical comparison of a spec with what BlueRockTEL answered (Compare),
// on records as data (Record, Live), so that plan needs no reader.
//
// Every other package (manifest schema and checks, plan, apply, client and
// sandbox) reads this table instead of knowing about kinds itself, so adding
// a kind or renaming a wire field is a change here only.
package resource

import (
	"fmt"
	"strings"
)

// Kind names a resource kind. Its string form is used in addresses
// (e.g. "customer.acme.file.main") and in state.
type Kind string

// The seven kinds of the onboarding cookbook.
const (
	Family       Kind = "family"
	Item         Kind = "item"
	Customer     Kind = "customer"
	CustomerFile Kind = "file"
	Licence      Kind = "licence"
	Initial      Kind = "initial"
	Recurring    Kind = "recurring"
)

// Kinds beyond the cookbook's seven calls (its "What's next", and the API
// notes).
const (
	Contact         Kind = "contact"
	Prospect        Kind = "prospect"
	ProspectFile    Kind = "prospect-file"
	ProspectContact Kind = "prospect-contact"
)

// Type is the type of a field value as written in a manifest and sent on
// the wire. Values are kept as their exact text; the type says how the text
// is checked and encoded.
type Type int

// Field types.
const (
	String    Type = iota // JSON string
	Integer               // JSON number, whole, written without leading zeros
	Decimal               // JSON number, exact decimal text (money, quantities)
	Boolean               // JSON true/false
	Date                  // JSON string YYYY-MM-DD, a real calendar date
	Reference             // id of another object: local name in the manifest, number on the wire
	// ReferenceList is a set of ids of other objects: a list of local
	// names in the manifest (and a list of ids under IDName), a JSON
	// array of numbers on the wire. Order does not matter (the API syncs
	// a pivot table).
	ReferenceList
)

// String returns the type's name as used in messages and the schema.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Decimal:
		return "decimal"
	case Boolean:
		return "boolean"
	case Date:
		return "date"
	case Reference:
		return "reference"
	case ReferenceList:
		return "reference list"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Field describes one field of a kind.
type Field struct {
	// Name is the manifest key. For a Reference it is the key holding the
	// local name of the target (e.g. "family"); IDName holds an existing id.
	Name string
	// Wire is the JSON name sent to the API (defaults to Name; for
	// references, the id field, e.g. "family_id").
	Wire string
	Type Type
	// Required in the manifest. For a Reference, one of Name or IDName.
	Required bool
	// Description is the cookbook's description, shown in the schema.
	Description string

	// Positive: integers and decimals must be > 0.
	Positive bool
	// Min and Max bound a decimal, inclusive, as decimal text ("" = none).
	Min, Max string
	// Scale is the number of decimal places the API keeps for a decimal
	// (money: 2, answered as "19.90"; 0 = kept exact as sent). The
	// canonical form is rounded to it, so validation refuses a value with
	// more places: the server would silently round it.
	Scale int
	// NonNegative: decimals must be >= 0 (prices).
	NonNegative bool
	// Money marks a price: the API stores it at Scale decimal places and
	// renders it as a JSON string with exactly that many ("19.90").
	Money bool

	// Target is the kind a Reference points to.
	Target Kind
	// IDName is the manifest key for referencing an existing object by id
	// (e.g. "family_id").
	IDName string

	// After names a Date field of the same object that this date must be
	// strictly after (renewal_date after activation_date).
	After string

	// Billing is the part the field plays in the money of an object, for
	// the plan's billing preview.
	Billing Billing

	// Fixed: an update cannot change the field, because it is part of
	// what the object is (a line's item). The parent reference is always
	// fixed. A changed Fixed field is refused by plan.
	Fixed bool

	// FollowUp: the API takes the field only by a PUT to the object once
	// it exists (a file's contact_ids and billing dates, per the
	// cookbook's "What's next"); plan sends it in the kind's follow-up
	// step (Spec.FollowUp), never in the create.
	FollowUp bool
	// MinLength is the least number of characters of a string (0 = none).
	MinLength int
	// Email: a string must be an email address.
	Email bool
	// Scope, for a ReferenceList, is the kind of the ancestor whose
	// objects the names refer to (a file's contacts are its customer's).
	Scope Kind
}

// IsRef reports whether the field refers to other objects (one or a list).
func (f Field) IsRef() bool { return f.Type == Reference || f.Type == ReferenceList }

// Billing is a field's part in what a line costs.
type Billing int

// Billing parts.
const (
	NotBilled Billing = iota
	Price             // unit price excl. VAT (a line's override, or its item's catalog price)
	Quantity          // units billed
	Discount          // rate in 0..1 taken off the price
	Period            // months between invoices (or licence renewals)
	// Active is a boolean: false means the line bills nothing (a
	// recurring or licence line ended by `active: false`).
	Active
	// Until is a date after which the object and everything under it bill
	// nothing (a customer file's services_stop).
	Until
	// ChargesVAT is a customer's boolean: VAT is added to its invoices
	// (unset: not added, as the API does).
	ChargesVAT
)

// Charge is how a kind of line is billed.
type Charge int

// Charges.
const (
	NoCharge   Charge = iota
	OneTime           // once (initial lines)
	PerCycle          // every billing cycle (recurring lines)
	PerRenewal        // at each renewal (licences)
)

// WireName is the field's JSON name on the wire.
func (f Field) WireName() string {
	if f.Wire != "" {
		return f.Wire
	}
	return f.Name
}

// Parent says how an object is attached to the object it is nested in.
type Parent struct {
	Kind Kind
	// BodyField receives the parent's id in the request body
	// (customer_file_id on lines).
	BodyField string
	// Embedded: the parent's GET answers the objects of this kind under
	// the kind's Collection (a customer file's GET carries its lines under
	// "licences", "initials" and "recurrings"). Refresh, export and show
	// read them from there; the sandbox serves them there.
	Embedded bool
	// QueryField receives the parent's id in the query string
	// (fileable_id on customer files), with QueryConst added as is.
	QueryField string
	QueryConst map[string]string
}

// Default is a field value the API sets on create when it was not sent.
type Default struct {
	// Wire is the JSON field name.
	Wire string
	// JSON is the value as a JSON literal ("true", "\"France\"").
	JSON string
	// IDFormat, when set, replaces JSON: the value is the string
	// fmt.Sprintf(IDFormat, id) of the new object's id ("CL%06d").
	IDFormat string
}

// Spec is one entry of the table.
type Spec struct {
	Kind Kind
	// Title is the human name ("customer file").
	Title string
	// Collection is the manifest key holding objects of this kind, keyed by
	// local name: top level for kinds without parent, nested otherwise.
	Collection string
	// Path is the API collection path (POST to create, GET to list,
	// Path/{id} to get and PUT).
	Path string
	// Parent is nil for top-level kinds.
	Parent *Parent
	// Fields in the order they are sent (the cookbook's order).
	Fields []Field
	// NaturalKeys are alternative sets of wire fields that identify an
	// existing object within its parent; the first whose fields are all set
	// is used. They are filtered on with filter[field]=value and compared
	// exactly on the client side.
	NaturalKeys [][]string
	// AdoptKey is a natural key strong enough that a state which does not
	// know the object looks it up before creating it, by default: when
	// all its fields are sent, an existing object with them is adopted,
	// never duplicated (a fresh state over an existing catalog). Kinds
	// without one (customers) are looked up first only with --adopt.
	AdoptKey []string
	// MatchAllFields: a candidate found by natural key must also equal every
	// field that was sent (lines have no identity of their own beyond what
	// they say).
	MatchAllFields bool
	// Returned lists response fields worth keeping in state.
	Returned []string
	// Defaults are the fields the API fills in on create when they are not
	// sent (customer_account, active, ...).
	Defaults []Default
	// Description documents the kind in the schema.
	Description string
	// Label is the manifest field that names an object for people (plan
	// headings), if any.
	Label string
	// Charge says how a line of this kind is billed (NoCharge for kinds
	// that are not lines).
	Charge Charge
	// FollowUp names the step that PUTs the kind's FollowUp fields to the
	// object after its create ("links": its address is the object's plus
	// ".links"); "" when the kind has none.
	FollowUp string
	// BareList: the API answers the kind's list as a bare JSON array, not
	// a paginator (contacts, per the API notes).
	BareList bool
	// Owner: an object of the kind owns everything nested in it (a
	// customer, a prospect). It and its objects are one lock scope of a
	// shared state (OwnerAddr) and one section of a plan.
	Owner bool
	// Catalog: the kind is part of the catalog that owners' objects refer
	// to (families, items): shared by every customer, exported to
	// catalog.yaml, claimed one object at a time by concurrent runners.
	Catalog bool

	// Ends are the end-of-life decisions a `removed:` entry may take for
	// an object of the kind (and so for what it contains); end.go.
	Ends []End
	// ActiveField is the Boolean field that deactivate PUTs false.
	ActiveField string
	// StopField is the Date field that stop PUTs (services_stop); a kind
	// without one that allows stop ends through its children that have it.
	StopField string
	// Commitment names the fields of a line's commitment: months, counted
	// from Start (a Date), before which ending it is flagged.
	Commitment *Commitment
}

// IsLine reports whether the kind is a billing line: one that has a
// Charge.
func (s *Spec) IsLine() bool { return s.Charge != NoCharge }

// Embeds returns the kinds whose objects a GET of s's objects carries
// (Parent.Embedded: a file's lines), in table order.
func (s *Spec) Embeds() []*Spec {
	var out []*Spec
	for _, c := range s.Children() {
		if c.Parent.Embedded {
			out = append(out, c)
		}
	}
	return out
}

// Billed returns the field that plays part b, if the kind has one.
func (s *Spec) Billed(b Billing) (Field, bool) {
	for _, f := range s.Fields {
		if f.Billing == b {
			return f, true
		}
	}
	return Field{}, false
}

// Field returns the field with manifest name or id name n.
func (s *Spec) Field(n string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == n || (f.IDName != "" && f.IDName == n) {
			return f, true
		}
	}
	return Field{}, false
}

// WireField returns the field with wire name w.
func (s *Spec) WireField(w string) (Field, bool) {
	for _, f := range s.Fields {
		if f.WireName() == w {
			return f, true
		}
	}
	return Field{}, false
}

// ObjectPath is the path of one object of the kind: Path/{id}, for GET
// and PUT.
func (s *Spec) ObjectPath(id int64) string { return fmt.Sprintf("%s/%d", s.Path, id) }

// IsParentWire reports whether wire is where the kind's parent id goes
// (body field, or query parameter without its "?" prefix).
func (s *Spec) IsParentWire(wire string) bool {
	if s.Parent == nil {
		return false
	}
	if wire == s.Parent.BodyField || wire == s.Parent.QueryField {
		return true
	}
	_, ok := s.Parent.QueryConst[wire]
	return ok
}

// Children returns the kinds nested directly under s, in table order.
func (s *Spec) Children() []*Spec {
	var out []*Spec
	for _, c := range table {
		if c.Parent != nil && c.Parent.Kind == s.Kind {
			out = append(out, c)
		}
	}
	return out
}

// MoneyScale is the number of decimal places the API keeps for money: the
// cookbook answers prices as "19.90", and a stock Laravel/MySQL money column
// of that shape rounds anything finer.
const MoneyScale = 2

const (
	descPrice     = "Selling price, excl. VAT. Exact decimal, at most 2 decimal places (the API keeps money to the cent and would round a finer price); 19.9 is stored and answered as 19.90."
	descOverPrice = "Override the catalog selling price (excl. VAT). Exact decimal, at most 2 decimal places (the API keeps money to the cent)."
	descItemRef   = "Catalog item: the local name of an item in this manifest set."
	descItemID    = "Catalog item: the id of an item that already exists in BlueRockTEL (instead of `item`)."
	descQuantity  = "Quantity (must be > 0). Exact decimal."
	descLabel     = "Custom label. Defaults to the item description."
)

// The three kinds of lines share their parent, item reference, price
// override and identity.
var (
	lineParent = &Parent{Kind: CustomerFile, BodyField: "customer_file_id", Embedded: true}
	lineItem   = Field{Name: "item", Wire: "item_id", Type: Reference, Target: Item, IDName: "item_id", Required: true, Fixed: true,
		Description: descItemRef + " Or `item_id`: " + descItemID}
	linePrice = Field{Name: "selling_price_without_tax", Type: Decimal, NonNegative: true, Scale: MoneyScale, Money: true, Billing: Price, Description: descOverPrice}
	// A line has no identity of its own beyond what it says: its file, its
	// item, and (MatchAllFields) every other field.
	lineKeys = [][]string{{"customer_file_id", "item_id"}}
)

// Contacts belong to a customer or a prospect, named in the query string
// by its PHP class (API notes); files link them by contact_ids.
func contactSpec(k Kind, owner Kind, class string) *Spec {
	return &Spec{
		Kind: k, Title: "contact", Label: "email_address", Collection: "contacts", Path: "/v1/contacts",
		Description: "Contacts of the " + string(owner) + ": people to invoice, to call for technical matters, legal representatives.",
		Parent:      &Parent{Kind: owner, QueryField: "contactable_id", QueryConst: map[string]string{"contactable_type": class}},
		Fields: []Field{
			{Name: "civility", Type: Integer, Positive: true, Description: "Civility: 1 Mlle, 2 Mme, 3 M."},
			{Name: "first_name", Type: String, Description: "First name."},
			{Name: "last_name", Type: String, Required: true, Description: "Last name."},
			{Name: "email_address", Type: String, Required: true, Email: true, Description: "Email address. Identifies the contact within its " + string(owner) + ": an existing contact with this address is adopted, not duplicated."},
			{Name: "mobile_phone", Type: String, Description: "Mobile phone number."},
			{Name: "landline_phone", Type: String, Description: "Landline phone number."},
			{Name: "role", Type: String, Description: "Role (e.g. CFO)."},
			{Name: "service", Type: String, Description: "Department."},
			{Name: "company", Type: String, Description: "Company, when it differs from the owner's."},
			{Name: "active", Type: Boolean, Description: "Whether the contact is active (default: true)."},
			{Name: "legal_representative", Type: Boolean, Description: "Legal representative."},
			{Name: "invoices_recipient", Type: Boolean, Description: "Receives the invoices."},
			{Name: "newsletters_recipient", Type: Boolean, Description: "Receives the newsletters."},
			{Name: "technical_contact", Type: Boolean, Description: "Technical contact."},
			{Name: "comment", Type: String, Description: "Free comment."},
		},
		NaturalKeys: [][]string{{"email_address"}},
		Defaults:    []Default{{Wire: "active", JSON: "true"}},
		BareList:    true,
		Ends:        []End{Deactivate, Delete, Forget}, ActiveField: "active",
	}
}

// fileFollowUp are the fields of a file that the API takes by a PUT to
// the file once it exists: the contacts linked to it (of its owner) and
// its billing dates.
func fileFollowUp(owner Kind) []Field {
	return []Field{
		{Name: "contacts", Wire: "contact_ids", Type: ReferenceList, Target: contactOf(owner), Scope: owner, IDName: "contact_ids", FollowUp: true,
			Description: "Contacts linked to the file: local names of contacts of its " + string(owner) + " (or `contact_ids`: ids of existing contacts). Sent as contact_ids by a PUT of the file once it and the contacts exist; a change of the list is an update."},
		{Name: "billing_next", Type: Date, FollowUp: true, Description: "Date of the next invoice (YYYY-MM-DD). Sent by a PUT of the file once it exists."},
		{Name: "services_stop", Type: Date, FollowUp: true, After: "services_start", Billing: Until, Description: "Date when services stop (YYYY-MM-DD), after services_start. Sent by a PUT of the file once it exists."},
	}
}

func contactOf(owner Kind) Kind {
	if owner == Prospect {
		return ProspectContact
	}
	return Contact
}

var table = []*Spec{
	{
		Kind: Family, Title: "family", Label: "name", Collection: "families", Path: "/v1/families",
		Description: "Product families are top-level catalog categories.",
		Fields: []Field{
			{Name: "name", Type: String, Required: true, Description: "Family name. Identifies the family: an existing family with this exact name is adopted, not duplicated."},
		},
		NaturalKeys: [][]string{{"name"}},
		AdoptKey:    []string{"name"},
		Catalog:     true,
		Ends:        []End{Delete, Forget},
	},
	{
		Kind: Item, Title: "item", Label: "description", Collection: "items", Path: "/v1/items",
		Description: "Catalog items are the individual products and services sold to customers.",
		Fields: []Field{
			{Name: "description", Type: String, Required: true, Description: "Item name shown on invoices."},
			{Name: "family", Wire: "family_id", Type: Reference, Target: Family, IDName: "family_id",
				Description: "FK to families: the local name of a family in this manifest set (or use `family_id` for an existing family)."},
			{Name: "selling_price_without_tax", Type: Decimal, NonNegative: true, Scale: MoneyScale, Money: true, Billing: Price, Description: descPrice},
			{Name: "billing_frequency", Type: Integer, Positive: true, Billing: Period, Description: "Default billing frequency in months."},
			{Name: "active_for_recurring_billing", Type: Boolean, Description: "Available as a subscription line."},
			{Name: "active_for_initial_billing", Type: Boolean, Description: "Available as a one-time charge."},
			{Name: "internal_reference", Type: String, Description: "Internal reference (SKU). When set, it identifies the item: an existing item with this reference is adopted, not duplicated."},
		},
		NaturalKeys: [][]string{{"internal_reference"}, {"description", "family_id"}},
		AdoptKey:    []string{"internal_reference"},
		Defaults:    []Default{{Wire: "active", JSON: "true"}},
		Catalog:     true,
		Ends:        []End{Delete, Forget},
	},
	{
		Kind: Customer, Title: "customer", Label: "name", Collection: "customers", Path: "/v1/customers",
		Description: "The customer is the top-level billing entity.",
		Fields: []Field{
			{Name: "name", Type: String, Required: true, Description: "Company or individual name."},
			{Name: "email_address", Type: String, Description: "Main contact email."},
			{Name: "phone", Type: String, Description: "Main phone number."},
			{Name: "main_address_line1", Type: String, Description: "Address line 1."},
			{Name: "main_address_postal_code", Type: String, Description: "Postal code."},
			{Name: "main_address_city", Type: String, Description: "City."},
			{Name: "main_address_country", Type: String, Description: "Country (default: France)."},
			{Name: "charge_vat", Type: Boolean, Billing: ChargesVAT, Description: "Apply VAT to invoices."},
			{Name: "customer_account", Type: String, Description: "Customer account code (generated as CL + 6-digit id when not set). When set, it identifies the customer: an existing customer with this account is adopted, not duplicated."},
		},
		NaturalKeys: [][]string{{"customer_account"}, {"name", "email_address"}, {"name"}},
		Returned:    []string{"customer_account"},
		Defaults: []Default{{Wire: "customer_account", IDFormat: "CL%06d"}, {Wire: "active", JSON: "true"},
			{Wire: "main_address_country", JSON: `"France"`}},
		Owner: true,
		// Never deleted: a customer's history (invoices) stays. Stopped
		// through its files' services_stop.
		Ends: []End{Stop, Forget},
	},
	{
		Kind: CustomerFile, Title: "customer file", Label: "name", Collection: "files", Path: "/v1/customer-files",
		Description: "A customer file is the billing dossier attached to the customer.",
		Parent: &Parent{Kind: Customer, QueryField: "fileable_id",
			QueryConst: map[string]string{"fileable_type": "customer"}},
		Fields: append([]Field{
			{Name: "name", Type: String, Required: true, Description: "Label for this file (e.g. project or site name). Required by onboard: it identifies the file within its customer."},
			{Name: "billing_frequency", Type: Integer, Positive: true, Billing: Period, Description: "Billing cycle in months (1, 3, 6, 12, ...)."},
			{Name: "services_start", Type: Date, Description: "Date when services begin (YYYY-MM-DD)."},
			{Name: "first_invoice", Type: Date, Description: "Date of the first invoice (YYYY-MM-DD)."},
		}, fileFollowUp(Customer)...),
		NaturalKeys: [][]string{{"name"}},
		FollowUp:    "links",
		Ends:        []End{Stop, Delete, Forget}, StopField: "services_stop",
	},
	{
		Kind: Licence, Title: "licence", Charge: PerRenewal, Collection: "licences", Path: "/v1/customer-files/licences",
		Description: "Licence lines represent licence-based billing (e.g. software seats), billed at a renewal frequency.",
		Parent:      lineParent,
		Fields: []Field{
			lineItem,
			{Name: "quantity", Type: Decimal, Required: true, Positive: true, Billing: Quantity, Description: "Number of licences (must be > 0)."},
			{Name: "activation_date", Type: Date, Description: "Activation date (YYYY-MM-DD)."},
			{Name: "renewal_date", Type: Date, After: "activation_date", Description: "First renewal date (YYYY-MM-DD), after the activation date."},
			linePrice,
			{Name: "frequency", Type: Integer, Positive: true, Billing: Period, Description: "Renewal frequency in months."},
			{Name: "active", Type: Boolean, Billing: Active, Description: "Whether this licence is active (default: true)."},
		},
		NaturalKeys:    lineKeys,
		MatchAllFields: true,
		Defaults:       []Default{{Wire: "active", JSON: "true"}},
		Ends:           []End{Deactivate, Delete, Forget}, ActiveField: "active",
	},
	{
		Kind: Initial, Title: "initial charge", Charge: OneTime, Collection: "initials", Path: "/v1/customer-files/initials",
		Description: "Initial lines are one-time charges, such as installation fees or hardware purchases.",
		Parent:      lineParent,
		Fields: []Field{
			lineItem,
			{Name: "quantity", Type: Decimal, Required: true, Positive: true, Billing: Quantity, Description: descQuantity},
			{Name: "label", Type: String, Description: descLabel},
			linePrice,
			{Name: "discount_rate", Type: Decimal, Min: "0", Max: "1", Billing: Discount, Description: "Discount rate between 0 and 1 (e.g. 0.1 = 10%)."},
			{Name: "charge_after_date", Type: Date, Description: "Do not invoice before this date (YYYY-MM-DD)."},
		},
		NaturalKeys:    lineKeys,
		MatchAllFields: true,
		Ends:           []End{Delete, Forget},
	},
	{
		Kind: Recurring, Title: "recurring line", Charge: PerCycle, Collection: "recurrings", Path: "/v1/customer-files/recurrings",
		Description: "Recurring lines are periodic subscriptions billed at each billing cycle.",
		Parent:      lineParent,
		Fields: []Field{
			lineItem,
			{Name: "quantity", Type: Decimal, Required: true, Positive: true, Billing: Quantity, Description: descQuantity},
			{Name: "label", Type: String, Description: descLabel},
			linePrice,
			{Name: "service_start", Type: Date, Description: "Planned service start date (YYYY-MM-DD)."},
			{Name: "first_invoice", Type: Date, Description: "Date of the first invoice for this item (YYYY-MM-DD)."},
			{Name: "billing_frequency", Type: Integer, Positive: true, Billing: Period, Description: "Override the file-level billing frequency (months)."},
			{Name: "commitment", Type: Integer, Positive: true, Description: "Commitment duration in months."},
			{Name: "active", Type: Boolean, Billing: Active, Description: "Whether this subscription is active."},
		},
		NaturalKeys:    lineKeys,
		MatchAllFields: true,
		Ends:           []End{Deactivate, Delete, Forget}, ActiveField: "active",
		Commitment: &Commitment{Months: "commitment", Start: "service_start"},
	},
	// Kinds beyond the cookbook come after its seven, so that the
	// sandbox's ids of those stay as they were.
	contactSpec(Contact, Customer, `App\Customer`),
	{
		Kind: Prospect, Title: "prospect", Label: "name", Collection: "prospects", Path: "/v1/prospects",
		Description: "A prospect is a potential customer; it may hold contacts and customer files of its own.",
		Fields: []Field{
			{Name: "name", Type: String, Required: true, MinLength: 2, Description: "Company or individual name, at least 2 characters. Identifies the prospect: an existing prospect with this exact name is adopted, not duplicated."},
			{Name: "email_address", Type: String, Description: "Main contact email."},
			{Name: "phone", Type: String, Description: "Main phone number."},
			{Name: "main_address_city", Type: String, Description: "City."},
		},
		NaturalKeys: [][]string{{"name"}},
		Returned:    []string{"customer_account"},
		Defaults:    []Default{{Wire: "customer_account", IDFormat: "PR%06d"}},
		Owner:       true,
		Ends:        []End{Forget},
	},
	contactSpec(ProspectContact, Prospect, `App\Prospect`),
	{
		Kind: ProspectFile, Title: "prospect file", Label: "name", Collection: "files", Path: "/v1/customer-files",
		Description: "A customer file of a prospect (fileable_type=prospect).",
		Parent: &Parent{Kind: Prospect, QueryField: "fileable_id",
			QueryConst: map[string]string{"fileable_type": "prospect"}},
		Fields: append([]Field{
			{Name: "name", Type: String, Required: true, Description: "Label for this file. Required by onboard: it identifies the file within its prospect."},
			{Name: "billing_frequency", Type: Integer, Positive: true, Description: "Billing cycle in months (1, 3, 6, 12, ...)."},
			{Name: "services_start", Type: Date, Description: "Date when services begin (YYYY-MM-DD)."},
		}, fileFollowUp(Prospect)...),
		NaturalKeys: [][]string{{"name"}},
		FollowUp:    "links",
		Ends:        []End{Stop, Delete, Forget}, StopField: "services_stop",
	},
}

// ExtraKey is the manifest key, on every object, whose entries are sent
// verbatim (unchecked) in the request body.
const ExtraKey = "extra"

var byKind = func() map[Kind]*Spec {
	m := make(map[Kind]*Spec, len(table))
	for _, s := range table {
		m[s.Kind] = s
	}
	return m
}()

// All returns the table in dependency order (parents and targets first).
func All() []*Spec { return table }

// Get returns the spec of kind k, or nil.
func Get(k Kind) *Spec { return byKind[k] }

// TopLevel returns the kinds that appear at the top of a manifest.
func TopLevel() []*Spec {
	var out []*Spec
	for _, s := range table {
		if s.Parent == nil {
			out = append(out, s)
		}
	}
	return out
}

// OwnerAddr returns the address of the owner (Spec.Owner) that the
// object at addr belongs to: "customer.acme" for
// "customer.acme.file.main" and for "customer.acme" itself, "" for an
// object no owner holds (a catalog object). Addresses are kind.name pairs,
// each nested in the one before; a follow-up's trailing name is ignored.
func OwnerAddr(addr string) string {
	parts := strings.Split(addr, ".")
	for i := 0; i+1 < len(parts); i += 2 {
		if s := Get(Kind(parts[i])); s != nil && s.Owner {
			return strings.Join(parts[:i+2], ".")
		}
	}
	return ""
}

// ParentAddr returns the address of the object addr is nested in: an
// address is kind.name pairs, each nested in the one before
// ("customer.acme.file.main.licence.seats" is in
// "customer.acme.file.main"). It is "" for a top-level address.
func ParentAddr(addr string) string {
	i := strings.LastIndexByte(addr, '.')
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(addr[:i], '.')
	if j < 0 {
		return ""
	}
	return addr[:j]
}
