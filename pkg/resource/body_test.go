package resource

import (
	"net/url"
	"testing"
)

func TestEncodeBodyKeepsExactText(t *testing.T) {
	ids := func(addr string) (int64, bool) { return map[string]int64{"file.f": 500}[addr], addr == "file.f" }
	vals := []Value{
		{Wire: "customer_file_id", Type: Reference, Ref: "file.f"},
		{Wire: "item_id", Type: Reference, Text: "42"},
		{Wire: "selling_price_without_tax", Type: Decimal, Text: "19.90"},
		{Wire: "label", Type: String, Text: "Fee <setup> & \"more\""},
		{Wire: "activation_date", Type: Date, Text: "2026-04-01"},
		{Wire: "active", Type: Boolean, Text: "true"},
		{Wire: "custom", Raw: []byte(`{"a":[1,2.50]}`)},
	}
	got, err := EncodeBody(vals, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"customer_file_id":500,"item_id":42,"selling_price_without_tax":19.90,"label":"Fee <setup> & \"more\"","activation_date":"2026-04-01","active":true,"custom":{"a":[1,2.50]}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := EncodeBody([]Value{{Wire: "item_id", Type: Reference, Ref: "item.unknown"}}, ids); err == nil {
		t.Fatal("an unresolved reference must be an error")
	}
}

func TestEncodeQueryCookbookOrder(t *testing.T) {
	q := url.Values{"fileable_id": {"101"}, "fileable_type": {"customer"}, "filter[name]": {"Main & Co"}, "page": {"2"}}
	got := Get(CustomerFile).EncodeQuery(q)
	want := "fileable_type=customer&fileable_id=101&filter%5Bname%5D=Main+%26+Co&page=2"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
