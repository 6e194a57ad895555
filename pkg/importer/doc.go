// Package importer turns the onboarding spreadsheet (a workbook with one
// sheet per kind, or one CSV file per kind) into the manifests onboard
// export writes: catalog.yaml and one file per customer, rendered by
// export.Render, deterministic to the byte.
//
// Sheets and columns are named from the resource table: a sheet per
// collection (families, items, customers, files, ...), a column per
// manifest field, the API's camelCase spellings accepted as aliases. A
// row's key column holds its local name, parent columns (customer, file,
// prospect) the key of its parent row.
//
// Every problem is reported at the cell it comes from, all at once: the
// generated manifests are checked by pkg/manifest, as any manifest is, and
// each diagnostic is traced back through the lines Render wrote to the
// cell that gave the value.
//
// Import publishes into an output directory as export does (staged whole
// beside it, then one rename), writing only new and changed files, and
// keeps a record of what it wrote (RecordFile) so that a file changed by
// hand since is not overwritten unless forced.
package importer
