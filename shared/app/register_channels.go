package app

// addChannels registers the functions of the channels capability.
func addChannels(m map[string]Builder) {}
