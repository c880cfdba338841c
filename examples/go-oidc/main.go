// A small web app on coreos/go-oidc v2 and golang.org/x/oauth2, the stack NetBird's
// management service uses, written the way go-oidc's README and its example/ folder
// do it: oidc.NewProvider(ctx, issuer), provider.Verifier(&oidc.Config{ClientID}),
// oauth2.Config.AuthCodeURL(state, oidc.Nonce(nonce)), Exchange, Verify, with state and
// nonce kept in short-lived cookies.
//
// Configuration (environment): OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// APP_URL (the redirect URI is APP_URL + "/auth/callback"), LISTEN (host:port),
// OIDC_GROUPS_CLAIM (name of the groups claim; default "groups").
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

type user struct {
	Email  string
	Name   string
	Groups []string
}

var (
	sessionsMu sync.Mutex
	sessions   = map[string]user{}
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>go-oidc example</title>
<h1>go-oidc example</h1>
{{if .Error}}<p id="error">Sign-in failed: {{.Error}}</p><a href="/">Back</a>
{{else if .User}}<p>Signed in as <span id="user">{{.User.Email}}</span> ({{.User.Name}})</p>
<p>Groups: <span id="groups">{{range $i, $g := .User.Groups}}{{if $i}}, {{end}}{{$g}}{{end}}</span></p>
{{else}}<p>Not signed in.</p><a id="login" href="/login">Sign in with JumpCloud</a>
{{end}}`))

type view struct {
	User  *user
	Error string
}

func render(w http.ResponseWriter, status int, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.Execute(w, v); err != nil {
		log.Print(err)
	}
}

func randString(nByte int) (string, error) {
	b := make([]byte, nByte)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func setCallbackCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		MaxAge:   int(time.Hour.Seconds()),
		Secure:   r.TLS != nil,
		HttpOnly: true,
		Path:     "/",
	})
}

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

func main() {
	issuer := os.Getenv("OIDC_ISSUER")
	appURL := strings.TrimSuffix(os.Getenv("APP_URL"), "/")
	listen := os.Getenv("LISTEN")
	groupsClaim := os.Getenv("OIDC_GROUPS_CLAIM")
	if groupsClaim == "" {
		groupsClaim = "groups"
	}
	ctx := context.Background()

	// Discovery: fails (and the app exits) when the document's issuer differs from
	// `issuer` character for character (the NetBird/JumpCloud trailing-slash story).
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatal(err)
	}
	clientID := os.Getenv("OIDC_CLIENT_ID")
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID})
	config := oauth2.Config{
		ClientID:     clientID,
		ClientSecret: os.Getenv("OIDC_CLIENT_SECRET"),
		Endpoint:     provider.Endpoint(),
		RedirectURL:  appURL + "/auth/callback",
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		v := view{}
		if c, err := r.Cookie("session"); err == nil {
			sessionsMu.Lock()
			if u, ok := sessions[c.Value]; ok {
				v.User = &u
			}
			sessionsMu.Unlock()
		}
		render(w, http.StatusOK, v)
	})

	http.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		state, err := randString(16)
		if err != nil {
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
		nonce, err := randString(16)
		if err != nil {
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
		setCallbackCookie(w, r, "state", state)
		setCallbackCookie(w, r, "nonce", nonce)
		http.Redirect(w, r, config.AuthCodeURL(state, oidc.Nonce(nonce)), http.StatusFound)
	})

	http.HandleFunc("/auth/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if e := q.Get("error"); e != "" {
			render(w, http.StatusBadRequest, view{Error: e + ": " + q.Get("error_description")})
			return
		}
		state, err := r.Cookie("state")
		if err != nil || q.Get("state") != state.Value {
			render(w, http.StatusBadRequest, view{Error: "state did not match"})
			return
		}
		oauth2Token, err := config.Exchange(ctx, q.Get("code"))
		if err != nil {
			log.Printf("exchange: %v", err)
			render(w, http.StatusUnauthorized, view{Error: "failed to exchange token: " + err.Error()})
			return
		}
		rawIDToken, ok := oauth2Token.Extra("id_token").(string)
		if !ok {
			render(w, http.StatusUnauthorized, view{Error: "no id_token field in oauth2 token"})
			return
		}
		idToken, err := verifier.Verify(ctx, rawIDToken)
		if err != nil {
			log.Printf("verify: %v", err)
			render(w, http.StatusUnauthorized, view{Error: "failed to verify ID token: " + err.Error()})
			return
		}
		nonce, err := r.Cookie("nonce")
		if err != nil || idToken.Nonce != nonce.Value {
			render(w, http.StatusUnauthorized, view{Error: "nonce did not match"})
			return
		}
		var claims map[string]json.RawMessage
		var std struct {
			Email string `json:"email"`
			Name  string `json:"name"`
			Given string `json:"given_name"`
		}
		if err := idToken.Claims(&claims); err != nil {
			render(w, http.StatusUnauthorized, view{Error: err.Error()})
			return
		}
		if err := idToken.Claims(&std); err != nil {
			render(w, http.StatusUnauthorized, view{Error: err.Error()})
			return
		}
		name := std.Name
		if name == "" {
			name = std.Given
		}
		u := user{Email: std.Email, Name: name, Groups: groupsFrom(claims[groupsClaim])}
		sid, err := randString(24)
		if err != nil {
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
		sessionsMu.Lock()
		sessions[sid] = u
		sessionsMu.Unlock()
		for _, n := range []string{"state", "nonce"} {
			http.SetCookie(w, &http.Cookie{Name: n, Value: "", Path: "/", MaxAge: -1})
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: sid, Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/", http.StatusFound)
	})

	log.Printf("listening on http://%s/", listen)
	log.Fatal(http.ListenAndServe(listen, nil))
}
