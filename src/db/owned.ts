import type { Model } from 'mongoose';

/**
 * A project's record by id, or null when there is none or it is another project's: a look-up by `_id`, the
 * project checked here.
 */
export async function findOwned<D extends { _id: string; projectId: string }>(
  model: Model<D>,
  projectId: string,
  id: string,
): Promise<D | null> {
  const doc = await model.findById(id).lean();
  return doc && doc.projectId === projectId ? doc : null;
}

/** Deletes a project's record by id (looked up by `_id` alone, as above); false when there was none to delete. */
export async function deleteOwned<D extends { _id: string; projectId: string }>(
  model: Model<D>,
  projectId: string,
  id: string,
): Promise<boolean> {
  if (!(await findOwned(model, projectId, id))) return false;
  const { deletedCount } = await model.deleteOne({ _id: id });
  return deletedCount > 0;
}
