import { Instrumenter } from '@stryker-mutator/instrumenter';
import fs from 'fs';
const logger={isDebugEnabled:()=>false,debug(){},info(){},warn(){},error(){}};
const inst = new Instrumenter(logger);
for (const f of process.argv.slice(2)){
 const r=await inst.instrument([{name:f,content:fs.readFileSync(f,'utf8'),mutate:true}],{plugins:[],excludedMutations:[],ignorers:[]});
 console.log(r.mutants.length, f);
}
