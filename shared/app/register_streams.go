package app

// addStreams registers the functions of the streams capability.
func addStreams(m map[string]Builder) {}
