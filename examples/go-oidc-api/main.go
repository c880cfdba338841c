// A small bearer-token API on coreos/go-oidc v2 (Debian's 2.1.0, GOPATH mode), written
// the way go-oidc's README verifies a token: oidc.NewProvider(ctx, issuer),
// provider.Verifier(&oidc.Config{ClientID: audience}), verifier.Verify(ctx, rawToken),
// with the raw token taken from `Authorization: Bearer`.
//
// Configuration (environment): OIDC_ISSUER, OIDC_AUDIENCE (the API's own audience),
// GROUPS_CLAIM (default "groups"), ALLOWED_GROUPS (comma-separated, default
// "Engineering"), LISTEN (host:port).
//
// GET /api/whoami answers 200 with the user for a valid token of a user in an allowed
// group, 401 with WWW-Authenticate for a token Verify refuses, 403 when the groups policy
// refuses; GET /healthz is 200.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	oidc "github.com/coreos/go-oidc"
)

// groupsFrom accepts the groups claim as a string (JumpCloud, one group) or an array.
func groupsFrom(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return many
	}
	return nil
}

func answer(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func main() {
	issuer := os.Getenv("OIDC_ISSUER")
	audience := os.Getenv("OIDC_AUDIENCE")
	groupsClaim := os.Getenv("GROUPS_CLAIM")
	if groupsClaim == "" {
		groupsClaim = "groups"
	}
	allowed := map[string]bool{}
	list := os.Getenv("ALLOWED_GROUPS")
	if list == "" {
		list = "Engineering"
	}
	for _, g := range strings.Split(list, ",") {
		allowed[g] = true
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: audience})

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})
	http.HandleFunc("/api/whoami", func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "Bearer ") {
			w.Header().Set("WWW-Authenticate", "Bearer")
			answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request"})
			return
		}
		idToken, err := verifier.Verify(r.Context(), strings.TrimPrefix(auth, "Bearer "))
		if err != nil {
			log.Printf("verify: %v", err)
			w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer error=\"invalid_token\", error_description=%q", err.Error()))
			answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
			return
		}
		var claims map[string]json.RawMessage
		var std struct {
			Email string `json:"email"`
		}
		if err := idToken.Claims(&claims); err != nil {
			answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
			return
		}
		if err := idToken.Claims(&std); err != nil {
			answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
			return
		}
		groups := groupsFrom(claims[groupsClaim])
		ok := false
		for _, g := range groups {
			ok = ok || allowed[g]
		}
		if !ok {
			answer(w, http.StatusForbidden, map[string]string{
				"error":             "insufficient_scope",
				"error_description": fmt.Sprintf("no allowed group in the `%s` claim", groupsClaim),
			})
			return
		}
		answer(w, http.StatusOK, map[string]interface{}{"sub": idToken.Subject, "email": std.Email, "groups": groups})
	})

	listen := os.Getenv("LISTEN")
	log.Printf("listening on http://%s/", listen)
	log.Fatal(http.ListenAndServe(listen, nil))
}
