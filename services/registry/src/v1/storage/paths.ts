// The one map of the v1 layout. It sits beside Distribution's v2 tree, which ignores it; layer
// bytes are not here but in the v2 blob store (blobs/sha256/…), stored once, content-addressed.
//
//   /docker/registry/v1/
//     images/<id>/
//       json                          the image JSON exactly as uploaded
//       ancestry                      JSON array [id, parent, …, base], written with json
//       layer                         JSON record of the uploaded layer (digest, size, diff id,
//                                     payload checksum, gzip or not, which upload holds it)
//       uploads/<uuid>                layer bytes received, not yet verified by PUT checksum
//       _complete                     JSON {checksum, tarsum?}; written last: without it the
//                                     image is unfinished and never served nor tagged
//       repositories/<ns>/<repo>      marker: the image belongs to that repository
//     repositories/<ns>/<repo>/
//       own/<id>/                     an image pushed under this repository with an index, laid
//                                     out as images/<id>/ (json … _complete): ids are not
//                                     content addresses, so each repository keeps its own copy
//                                     and another owner's upload never stands in for it.
//                                     images/<id>/ holds images stored before, and standalone ones
//       tags/<tag>                    the image id the tag names
//       bridged/<tag>                 digest of the v2 manifest the bridge stored for that tag
//       images/<id>                   marker: pushed under this repository or reachable from
//                                     one of its tags (mirror of images/<id>/repositories/…)
//
// Image ids are 64 lowercase hex and names are validated `<ns>/<repo>` before they get here.

export const v1Root = '/docker/registry/v1';

/** One stored image: a repository's own copy (`owner`), or the one shared copy of the id. */
export interface ImageRef {
  id: string;
  owner?: string;
}

export function imagePath(ref: ImageRef): string {
  return ref.owner === undefined ? `${v1Root}/images/${ref.id}` : ownImagePath(ref.owner, ref.id);
}

export function imageJsonPath(ref: ImageRef): string {
  return `${imagePath(ref)}/json`;
}

export function ancestryPath(ref: ImageRef): string {
  return `${imagePath(ref)}/ancestry`;
}

export function layerRecordPath(ref: ImageRef): string {
  return `${imagePath(ref)}/layer`;
}

export function layerUploadsPath(ref: ImageRef): string {
  return `${imagePath(ref)}/uploads`;
}

export function layerUploadPath(ref: ImageRef, uuid: string): string {
  return `${layerUploadsPath(ref)}/${uuid}`;
}

export function completePath(ref: ImageRef): string {
  return `${imagePath(ref)}/_complete`;
}

export function imageRepositoriesPath(id: string): string {
  return `${v1Root}/images/${id}/repositories`;
}

export function imageRepositoryMarkerPath(id: string, name: string): string {
  return `${imageRepositoriesPath(id)}/${name}`;
}

export function v1RepositoryPath(name: string): string {
  return `${v1Root}/repositories/${name}`;
}

export function v1TagsPath(name: string): string {
  return `${v1RepositoryPath(name)}/tags`;
}

export function v1TagPath(name: string, tag: string): string {
  return `${v1TagsPath(name)}/${tag}`;
}

export function bridgedPath(name: string, tag: string): string {
  return `${v1RepositoryPath(name)}/bridged/${tag}`;
}

export function repositoryImagesPath(name: string): string {
  return `${v1RepositoryPath(name)}/images`;
}

export function repositoryImageMarkerPath(name: string, id: string): string {
  return `${repositoryImagesPath(name)}/${id}`;
}

export function ownImagesPath(name: string): string {
  return `${v1RepositoryPath(name)}/own`;
}

export function ownImagePath(name: string, id: string): string {
  return `${ownImagesPath(name)}/${id}`;
}
