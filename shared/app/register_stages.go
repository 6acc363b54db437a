package app

// addStages registers the functions of the stages capability.
func addStages(m map[string]Builder) {}
