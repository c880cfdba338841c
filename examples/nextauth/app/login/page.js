import { signIn } from "@/auth";

// pages.signIn: Auth.js redirects here with ?error=OAuthCallbackError when the IdP
// answers an error or the callback fails its checks. Sourcebot shows "An error occurred
// during authentication. Please try again" on its /login page.
export default async function Login({ searchParams }) {
  const { error } = await searchParams;
  return (
    <main>
      <h1>Sign in</h1>
      {error && <p id="error">An error occurred during authentication ({error}). Please try again.</p>}
      <form
        action={async () => {
          "use server";
          await signIn("jumpcloud", { redirectTo: "/" });
        }}
      >
        <button id="login" type="submit">Sign in with JumpCloud</button>
      </form>
    </main>
  );
}
