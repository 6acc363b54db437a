package stack

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	rt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
)

// setupStageSigning prepares self-signed stage tokens offline, which in the
// cloud .ci/rotate-stage-key.sh does: a P-384 key pair whose public half is
// imported into IVS Real-Time and whose private half, with the public key's
// ARN, goes into the signing secret. It runs once per data dir; the key then
// survives restarts.
func (s *Stack) setupStageSigning(ctx context.Context, env map[string]map[string]string) error {
	secretArn := ""
	for _, e := range env {
		if v := e["STAGE_SIGNING_KEY_SECRET_ARN"]; v != "" {
			secretArn = v
		}
	}
	if secretArn == "" {
		return nil // api mode, or no stage functions
	}
	current, err := s.secrets.Value(secretArn)
	if err != nil {
		return err
	}
	if current != "" {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	out, err := rt.NewFromConfig(s.awsConfig()).ImportPublicKey(ctx, &rt.ImportPublicKeyInput{
		PublicKeyMaterial: aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))),
		Name:              aws.String("onair-local-stage-tokens"),
		Tags:              map[string]string{"project": StackName},
	})
	if err != nil {
		return fmt.Errorf("import stage public key: %w", err)
	}
	value, err := json.Marshal(map[string]string{
		"privateKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		"publicKeyArn":  aws.ToString(out.PublicKey.Arn),
	})
	if err != nil {
		return err
	}
	s.log.Info("stage token signing key created and imported", "publicKeyArn", aws.ToString(out.PublicKey.Arn))
	return s.secrets.SetValue(secretArn, string(value))
}
