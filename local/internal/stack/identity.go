package stack

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
)

// identity is what must stay the same across restarts of one data dir: the
// ids a browser or CLI has already been given.
type identity struct {
	PoolID   string `json:"userPoolId"`
	ClientID string `json:"userPoolClientId"`
}

const identityFile = "local.json"

func loadIdentity(dataDir, region string) (identity, error) {
	path := filepath.Join(dataDir, identityFile)
	var id identity
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &id); err != nil {
			return id, fmt.Errorf("%s: %w", path, err)
		}
		if id.PoolID != "" && id.ClientID != "" {
			return id, nil
		}
	case !errors.Is(err, fs.ErrNotExist):
		return id, err
	}
	// Cognito's formats: "<region>_<9 alphanumerics>" and 26 lowercase alphanumerics.
	id = identity{
		PoolID:   region + "_" + randomString(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
		ClientID: randomString(26, "abcdefghijklmnopqrstuvwxyz0123456789"),
	}
	raw, err = json.MarshalIndent(id, "", "  ")
	if err != nil {
		return id, err
	}
	return id, os.WriteFile(path, raw, 0o600)
}

func randomString(n int, chars string) string {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = chars[k.Int64()]
	}
	return string(b)
}
