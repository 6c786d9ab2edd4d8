// dcmjs ships no type declarations: the little of it the DICOM export uses, typed here.
declare module 'dcmjs' {
  /** A data set in dcmjs's "naturalized" form: keyword → value, sequences as arrays of items. */
  export type NaturalDataset = { [keyword: string]: unknown };
  interface DicomDictInstance {
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: NaturalDataset): Record<string, unknown>;
        uid(): string;
      };
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
    };
  };
  export default dcmjs;
}
