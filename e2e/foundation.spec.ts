import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acknowledgeProblems,
  artifactsDir,
  expectOnlyLoopback,
  newDataDir,
  recordRequests,
  Shell,
  expect,
  test,
} from './support';

const network = {
  format: 'contagion-workbench/network@1',
  name: 'Four banks (e2e)',
  currency: 'EUR',
  unit: 'million',
  nodes: ['N1', 'N2', 'N3', 'N4'].map((id) => ({ id, outsideAssets: 100, outsideLiabilities: 80 })),
  liabilities: [
    { debtor: 'N1', creditor: 'N2', amount: 10 },
    { debtor: 'N2', creditor: 'N3', amount: 12 },
    { debtor: 'N3', creditor: 'N4', amount: 8 },
    { debtor: 'N4', creditor: 'N1', amount: 5 },
  ],
};

test('open the app, see the bundled banks, import a network, find it again after a restart', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const requests = recordRequests(page);
  let host = await startHost(dataDir);
  const shell = new Shell(page);

  await page.goto(host.url);
  await expect(shell.datasetRows()).toHaveCount(1);
  await expect(shell.datasetRows().first()).toContainText('EBA 2011, 87 banks');
  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');
  await expect(page.getByTestId('skipped')).toContainText('DE029');

  const file = join(dataDir, 'four-banks.json');
  writeFileSync(file, JSON.stringify(network));
  await shell.importFile(file);
  await expect(page.getByTestId('message')).toContainText('Imported "Four banks (e2e)"');
  await expect(shell.datasetRows()).toHaveCount(2);

  // A file that breaks a rule is refused whole, with the entry named.
  const bad = join(dataDir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({ ...network, name: 'Bad', liabilities: [{ debtor: 'N1', creditor: 'N1', amount: 1 }] }),
  );
  await shell.importFile(bad);
  await expect(page.getByTestId('message')).toContainText('self-loop on "N1"');
  await expect(shell.datasetRows()).toHaveCount(2);

  await shell.goTo('about');
  await expect(page.getByTestId('about-data-dir')).toHaveText(dataDir);
  await expect(page.getByTestId('about-backend')).not.toBeEmpty();
  expectOnlyLoopback(requests);

  await host.stop();
  host = await startHost(dataDir);
  await page.goto(host.url);
  await expect(shell.datasetRows()).toHaveCount(2);
  await expect(shell.datasetRows().nth(1)).toContainText('Four banks (e2e)');
  await page.screenshot({ path: join(artifactsDir, 'data-screen.png'), fullPage: true });
  expectOnlyLoopback(requests);
  await host.stop();
});

test('the host refuses a socket without the token and pages from another origin', async ({
  page,
  startHost,
  problems,
}) => {
  const host = await startHost(newDataDir());
  await page.goto(host.url);
  const origin = host.origin;
  const refused = await page.evaluate(
    async (wsUrl) => {
      return new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl);
        socket.onopen = () => resolve('opened');
        socket.onerror = () => resolve('refused');
      });
    },
    `${origin.replace('http', 'ws')}/api?token=wrong`,
  );
  expect(refused).toBe('refused');
  // The browser logs the refused connection this test opened on purpose.
  acknowledgeProblems(problems, /token=wrong' failed/);
  const csp = (await page.request.get(`${origin}/`)).headers()['content-security-policy'];
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("default-src 'self'");
  await host.stop();
});
