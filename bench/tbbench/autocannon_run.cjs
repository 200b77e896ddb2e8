// Runs autocannon with the options read as JSON from standard input; prints its result as JSON.
// Through the programmatic API so that a run can cycle through several requests (paths, bodies),
// which autocannon's command line cannot express.
const path = require('node:path')
const autocannon = require(path.join(process.cwd(), 'node_modules', 'autocannon'))

let input = ''
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  const options = JSON.parse(input)
  autocannon(options, (error, result) => {
    if (error) {
      console.error(error)
      process.exit(1)
    }
    process.stdout.write(JSON.stringify(result))
  })
})
