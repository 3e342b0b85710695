// Placeholder until the desktop-app issue: says what Cohort is and where the work happens today.
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '4rem auto', lineHeight: 1.5 }}>
      <h1>Cohort</h1>
      <p>Federated learning for hospitals: train models together, keep every row on the machine that holds it.</p>
      <p>
        The desktop screens are being built. Today Cohort is driven from the command line: run <code>npx cohort --help</code>.
      </p>
    </main>
  );
}
