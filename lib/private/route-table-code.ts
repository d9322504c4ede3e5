import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IAspect, Lazy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';

/**
 * Lambda code made of a bundled handler directory plus one JSON file whose
 * content is only final once the whole app has been declared (the route
 * table of an API whose methods are added after the function exists).
 *
 * `bind` hands the function a lazy S3 location; `stage()`, called from an
 * aspect before synthesis, writes the directory and creates the asset. The
 * handler directory may itself be chosen late (a function, asked when the
 * code is staged): the authorizer's build depends on how its clients are
 * wired, which another aspect decides first.
 */
export class LateFileCode extends lambda.Code {
  public readonly isInline = false;
  private asset?: s3assets.Asset;
  private scope?: Construct;

  /**
   * @param handlerDir the bundled handler's directory, or a function giving it when the code is staged
   * @param fileName the late file's name in that directory
   * @param content the late file's content, asked when the code is staged
   */
  constructor(private readonly handlerDir: string | (() => string), private readonly fileName: string, private readonly content: () => string) {
    super();
    if (typeof handlerDir === 'string') checkBundled(handlerDir);
  }

  public bind(scope: Construct): lambda.CodeConfig {
    this.scope = scope;
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.staged().s3BucketName }),
        objectKey: Lazy.string({ produce: () => this.staged().s3ObjectKey }),
      },
    };
  }

  /** Writes the handler and the file into a fresh directory and stages it as an asset (once). */
  public stage(): void {
    if (this.asset || !this.scope) return;
    const handlerDir = typeof this.handlerDir === 'string' ? this.handlerDir : checkBundled(this.handlerDir());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cognito-m2m-'));
    for (const f of fs.readdirSync(handlerDir)) {
      fs.copyFileSync(path.join(handlerDir, f), path.join(dir, f));
    }
    fs.writeFileSync(path.join(dir, this.fileName), this.content());
    this.asset = new s3assets.Asset(this.scope, 'Code', { path: dir });
  }

  private staged(): s3assets.Asset {
    if (!this.asset) {
      throw new Error('The authorizer code was not staged: synthesize through App.synth() (or Template.fromStack), which runs aspects first');
    }
    return this.asset;
  }
}

/** The handler directory, if its bundle is there. */
function checkBundled(handlerDir: string): string {
  if (!fs.existsSync(path.join(handlerDir, 'index.js'))) {
    throw new Error(`The bundled handler ${path.join(handlerDir, 'index.js')} is missing: run \`npx projen bundle\` (npm install runs it)`);
  }
  return handlerDir;
}

/** The aspect that stages a `LateFileCode` when it visits its owner. */
export class StageLateFileCode implements IAspect {
  constructor(private readonly owner: IConstruct, private readonly code: LateFileCode) {}

  public visit(node: IConstruct): void {
    if (node === this.owner) this.code.stage();
  }
}
