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
//       tags/<tag>                    the image id the tag names
//       bridged/<tag>                 digest of the v2 manifest the bridge stored for that tag
//       images/<id>                   marker: pushed under this repository or reachable from
//                                     one of its tags (mirror of images/<id>/repositories/…)
//
// Image ids are 64 lowercase hex and names are validated `<ns>/<repo>` before they get here.

export const v1Root = '/docker/registry/v1';

export function imagePath(id: string): string {
  return `${v1Root}/images/${id}`;
}

export function imageJsonPath(id: string): string {
  return `${imagePath(id)}/json`;
}

export function ancestryPath(id: string): string {
  return `${imagePath(id)}/ancestry`;
}

export function layerRecordPath(id: string): string {
  return `${imagePath(id)}/layer`;
}

export function layerUploadsPath(id: string): string {
  return `${imagePath(id)}/uploads`;
}

export function layerUploadPath(id: string, uuid: string): string {
  return `${layerUploadsPath(id)}/${uuid}`;
}

export function completePath(id: string): string {
  return `${imagePath(id)}/_complete`;
}

export function imageRepositoriesPath(id: string): string {
  return `${imagePath(id)}/repositories`;
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
