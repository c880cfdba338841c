// Auth.js redirects here (pages.error) with ?error=<type>, e.g. Configuration,
// AccessDenied, Verification. https://authjs.dev/guides/pages/error
export default async function AuthError({ searchParams }) {
  const { error } = await searchParams;
  return (
    <main>
      <h1>Sign-in failed</h1>
      <p id="error">Authentication error: {error ?? "unknown"}</p>
      <a href="/">Back</a>
    </main>
  );
}
