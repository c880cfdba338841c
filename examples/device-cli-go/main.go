// A small CLI that logs in with the device authorization grant (RFC 8628) as a public
// client, on golang.org/x/oauth2 0.27.0's device flow: Config.DeviceAuth, then
// Config.DeviceAccessToken, which polls the token endpoint itself (its interval, its
// slow_down handling, its stop on access_denied and expired_token: deviceauth.go). The CLI
// writes no polling loop of its own; that is the point of the example.
//
//	device-cli-go login --issuer ISSUER --client-id CLIENT_ID
//
// The token endpoint gets client_id in the form (Endpoint.AuthStyle:
// oauth2.AuthStyleInParams, a public client). DEVICE_CLI_AUTH_STYLE=autodetect leaves
// AuthStyle at its zero value instead (AuthStyleAutoDetect), to show what that does to
// the polling (examples/device-cli-go/autodetect.toml).
//
// Prints "To log in, open <verification_uri> and enter the code <user_code>", then
// "Logged in as <email>" (exit 0); exit 1 when the login fails (denied, expired), 3 when
// the IdP has no device authorization endpoint.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The scopes jitsudo's CLI asks for.
var scopes = []string{"openid", "email", "profile", "groups", "offline_access"}

// The discovery fields the CLI reads (OpenID Connect Discovery 1.0; RFC 8628 §4).
type metadata struct {
	TokenEndpoint               string `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
}

func discover(ctx context.Context, issuer string) (*metadata, error) {
	url := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery %s: HTTP %d", url, resp.StatusCode)
	}
	var m metadata
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("discovery %s: %v", url, err)
	}
	return &m, nil
}

// claimsOf reads the ID token's claims for display. It came straight from the token
// endpoint (OIDC Core §3.1.3.7 lets a client trust the token endpoint's TLS), so the CLI
// only decodes it.
func claimsOf(idToken string) (map[string]interface{}, error) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return nil, errors.New("the ID token is not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, err
	}
	var claims map[string]interface{}
	err = json.Unmarshal(payload, &claims)
	return claims, err
}

func login(issuer, clientID string) int {
	ctx := context.Background()
	meta, err := discover(ctx, issuer)
	if err != nil {
		fmt.Fprintf(os.Stderr, "login failed: %v\n", err)
		return 1
	}
	if meta.DeviceAuthorizationEndpoint == "" {
		fmt.Fprintf(os.Stderr, "the IdP %s has no device authorization endpoint: "+
			"use an IdP with the device flow, or the browser login\n", issuer)
		return 3
	}
	cfg := &oauth2.Config{
		ClientID: clientID,
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: meta.DeviceAuthorizationEndpoint,
			TokenURL:      meta.TokenEndpoint,
			// A public client: client_id in the form, no secret, no guessing.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		Scopes: scopes,
	}
	if os.Getenv("DEVICE_CLI_AUTH_STYLE") == "autodetect" {
		// The zero value, as an Endpoint literal without AuthStyle has it.
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleAutoDetect
	}
	device, err := cfg.DeviceAuth(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "login failed: the device authorization request: %v\n", err)
		return 1
	}
	fmt.Printf("To log in, open %s and enter the code %s\n", device.VerificationURI, device.UserCode)
	token, err := cfg.DeviceAccessToken(ctx, device)
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &re) && re.ErrorCode == "access_denied":
			fmt.Fprintf(os.Stderr, "The login was denied in the browser (%v).\n", err)
		case errors.As(err, &re) && re.ErrorCode == "expired_token",
			errors.Is(err, context.DeadlineExceeded):
			fmt.Fprintf(os.Stderr, "The code expired before the login was approved (%v): run the login again.\n", err)
		default:
			fmt.Fprintf(os.Stderr, "login failed: %v\n", err)
		}
		return 1
	}
	idToken, _ := token.Extra("id_token").(string)
	if idToken == "" {
		fmt.Fprintln(os.Stderr, "login failed: the token endpoint returned no ID token")
		return 1
	}
	claims, err := claimsOf(idToken)
	if err != nil {
		fmt.Fprintf(os.Stderr, "login failed: the ID token: %v\n", err)
		return 1
	}
	who, _ := claims["email"].(string)
	if who == "" {
		who, _ = claims["sub"].(string)
	}
	fmt.Printf("Logged in as %s\n", who)
	return 0
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "login" {
		fmt.Fprintln(os.Stderr, "usage: device-cli-go login --issuer ISSUER --client-id CLIENT_ID")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("login", flag.ExitOnError)
	issuer := fs.String("issuer", "", "the OpenID Connect issuer")
	clientID := fs.String("client-id", "", "the CLI's (public) client id")
	_ = fs.Parse(os.Args[2:])
	if *issuer == "" || *clientID == "" {
		fmt.Fprintln(os.Stderr, "usage: device-cli-go login --issuer ISSUER --client-id CLIENT_ID")
		os.Exit(2)
	}
	os.Exit(login(*issuer, *clientID))
}
