"""Lesson media, in one place: what a file may be, how an upload is checked, transcoded, stored and served.

- `types.py`: the one table of file types (extensions, content types, which uploads accept them,
  inline or attachment, derived files); every other list is computed from it;
- `uploads.py`: an upload checked by its bytes and size, its name made safe; `office_files.py`:
  office zips told apart and zip bombs refused by their directory;
- `transcoding.py`: ffprobe, ffmpeg HLS, pdftoppm, LibreOffice on local files;
- `storage.py`: copying in and out of storage, and the one recursive delete;
- `delivery.py`: serving a lesson's file with Range requests or a signed URL, playlists rewritten.

No ORM: the writes around these (claims, processing runs) are courses.services.materials, and who may
see a file is decided by the views that call delivery.
"""
