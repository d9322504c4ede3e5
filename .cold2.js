const { spawnSync } = require('child_process');
const variants = { base: '0', hash: "require('crypto').createHash('sha256').update('x').digest()", verify: "const c=require('crypto');const k=c.generateKeyPairSync('ec',{namedCurve:'P-256'})" , timer: "setTimeout(()=>{},0)", fs: "require('fs').readFileSync('/etc/hostname')"};
const W = {}; 
for (let i = 0; i < 31; i++) for (const [k, s] of Object.entries(variants)) { const t = performance.now(); spawnSync(process.execPath, ['-e', s]); (W[k] ??= []).push(performance.now() - t); }
for (const [k, xs] of Object.entries(W)) { xs.sort((a, b) => a - b); console.log(k.padEnd(8), xs[15].toFixed(2), 'min', xs[0].toFixed(2), 'q1', xs[7].toFixed(2)); }
