/**
 * Why a fix cannot be offered. Builders throw it deep inside emission; the fix list catches it
 * and offers nothing for that fix (an unsafe rewrite is never better than none).
 */
export class RewriteRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RewriteRefusal';
  }
}
