package app

// addSocial registers the functions of the social capability.
func addSocial(m map[string]Builder) {}
