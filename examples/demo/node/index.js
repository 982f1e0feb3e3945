// demo/node: TFSchedule's demo task, without dependencies. Whatever it writes to publish/ is
// archived under history/<version>/ when the run ends (history/latest: the newest).
const fs = require('fs');
const path = require('path');

const rate = { metal: 'gold', unit: 'USD/oz', price: (2300 + Math.random() * 100).toFixed(2), at: new Date().toISOString() };
console.log(`run ${process.env.TFS_RUN_ID} (${process.env.TFS_RUN_VERSION}): gold at ${rate.price}`);
fs.writeFileSync(path.join(process.env.TFS_PUBLISH_DIR, 'gold_rate.json'), JSON.stringify(rate, null, 2) + '\n');
