// Package export brings an existing BlueRockTEL tenant under manifests: it
// reads the selected customers with everything nested in them and the
// catalog objects they use (or the whole catalog) in bulk (Read), turns
// them into the manifests a person would write, in the GitOps layout of
// examples/gitops/ (Build), and computes the state that makes the first
// plan after the switch show nothing to do (States).
//
// The resource table drives all of it: which kinds nest in customers and
// how they are attached (through the query string, listed whole and split
// by parent; or through a body field, embedded in the parent's GET), which
// fields exist and their types, the API's defaults, natural keys. A kind
// added to the table is exported without a change here.
//
// Output is deterministic: objects are named and written in id order,
// fields in table order, unknown fields sorted, so the same tenant gives
// the same bytes.
package export
