// Package schemas embeds the JSON Schema of onboard manifests, generated
// from the resource table (see gen/), so that the binary can validate
// manifests and print the schema for editors.
package schemas

import _ "embed"

//go:generate go run ./gen manifest.schema.json

// Manifest is schemas/manifest.schema.json: the JSON Schema (2020-12) of a
// manifest file.
//
//go:embed manifest.schema.json
var Manifest []byte
