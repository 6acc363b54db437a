package app

// addAccounts registers the functions of the accounts capability.
func addAccounts(m map[string]Builder) {}
