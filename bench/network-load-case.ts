/**
 * One measurement of `npm run bench -- network-load`, in its own process so that its peak RSS is its own:
 * `columns` reads the network@1 file with readNetworkJsonColumns (and builds the clearing system from the columns),
 * `objects` with the stream reader into liability objects (readNetworkJsonFile, the path before columns).
 * Prints one JSON line: seconds to read, seconds to the clearing system, liabilities, sum of amounts, peak RSS.
 */
import { toClearingSystem, toClearingSystemFromColumns } from '../src-main/engines/network-arrays';
import { readNetworkJsonColumns } from '../src-main/io/network-json-columns';
import { readNetworkJsonFile } from '../src-main/io/network-json';

const [mode, path] = process.argv.slice(2) as ['columns' | 'objects', string];
const started = performance.now();
let read: number;
let count: number;
let sum = 0;
let banks: number;
if (mode === 'columns') {
  const network = readNetworkJsonColumns(path, 'network.json');
  read = performance.now();
  count = network.liabilities.count;
  for (let k = 0; k < count; k++) sum += network.liabilities.amount[k]!;
  banks = toClearingSystemFromColumns(network.document, network.liabilities).nBanks;
} else {
  const document = readNetworkJsonFile(path, 'network.json');
  read = performance.now();
  count = document.liabilities.length;
  for (const entry of document.liabilities) sum += entry.amount;
  banks = toClearingSystem(document).nBanks;
}
const done = performance.now();
console.log(
  JSON.stringify({
    seconds: (read - started) / 1000,
    secondsToClearingSystem: (done - started) / 1000,
    banks,
    liabilities: count,
    sum,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
