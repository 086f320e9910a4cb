import type { Model } from 'mongoose';

/**
 * A project's record by id, or null when there is none or it is another project's. The filter is `{ _id }`
 * alone, the only one FerretDB answers from an index; the project is checked here.
 */
export async function findOwned<D extends { _id: string; projectId: string }>(
  model: Model<D>,
  projectId: string,
  id: string,
): Promise<D | null> {
  const doc = await model.findById(id).lean<D>();
  return doc && doc.projectId === projectId ? doc : null;
}
