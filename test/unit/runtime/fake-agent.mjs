// Stand-in for `zx agent` in process-runtime tests: prints its argv, then idles until a
// signal; SIGTERM exits 0 after logging, like an agent shutting down. It opens no sockets.
const node = process.argv.find((a) => a.startsWith('-node='))
console.log(`fake agent ${node} args=${process.argv.slice(2).join(' ')}`)
process.on('SIGTERM', () => { console.log(`fake agent ${node} got SIGTERM`); process.exit(0) })
setInterval(() => {}, 1_000)
