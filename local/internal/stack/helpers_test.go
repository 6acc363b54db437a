package stack_test

import "os"

func readTemplate() ([]byte, error) { return os.ReadFile("../../../template.yaml") }
