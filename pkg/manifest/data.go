package manifest

// File is a manifest given as data rather than read from disk.
type File struct {
	// Path names the file in diagnostics and in the set.
	Path string
	Data []byte
}

// LoadData checks manifests given as data exactly as Load checks files
// (an import checks what it is about to write before writing anything).
// Files are taken in the order given.
func LoadData(files []File) (*Set, error) {
	srcs := make([]source, len(files))
	for i, f := range files {
		srcs[i] = source{path: f.Path, data: f.Data, read: true}
	}
	return load(srcs)
}
