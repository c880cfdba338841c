import { auth, signIn, signOut } from "@/auth";

export default async function Home() {
  const session = await auth();
  if (!session?.user) {
    return (
      <main>
        <h1>next-auth example</h1>
        <p>Not signed in.</p>
        <form
          action={async () => {
            "use server";
            await signIn("jumpcloud");
          }}
        >
          <button id="login" type="submit">Sign in with JumpCloud</button>
        </form>
      </main>
    );
  }
  return (
    <main>
      <h1>next-auth example</h1>
      <p>
        Signed in as <span id="user">{session.user.email}</span> ({session.user.name})
      </p>
      <p>
        Groups: <span id="groups">{session.groups.join(", ")}</span>
      </p>
      <form
        action={async () => {
          "use server";
          await signOut();
        }}
      >
        <button id="logout" type="submit">Sign out</button>
      </form>
    </main>
  );
}
