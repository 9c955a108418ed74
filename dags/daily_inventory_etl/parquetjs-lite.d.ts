// The package ships no types; this declares the part of its API the archives use (the daily
// metrics archive, and the maintenance DAG's partition archives, which it also reads back).
declare module 'parquetjs-lite' {
  export interface FieldDefinition {
    type: string;
    optional?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
  }
  export interface WriterOptions {
    useDataPageV2?: boolean;
    rowGroupSize?: number;
    pageSize?: number;
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: WriterOptions): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  /** A row group as the envelope reader decodes it: per column, its values and levels. */
  export interface DecodedRowGroup {
    rowCount: number;
    columnData: Record<string, { values: unknown[]; dlevels: number[]; rlevels: number[]; count: number }>;
  }
  export interface RowGroupMetadata {
    num_rows: number | bigint | { toNumber(): number };
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    metadata: { row_groups: RowGroupMetadata[] };
    schema: unknown;
    envelopeReader: {
      readRowGroup(
        schema: unknown,
        rowGroup: RowGroupMetadata,
        columns: string[][],
      ): Promise<DecodedRowGroup>;
    };
    getRowCount(): number | bigint | { toNumber(): number };
    close(): Promise<void>;
  }
  const parquet: {
    ParquetSchema: typeof ParquetSchema;
    ParquetWriter: typeof ParquetWriter;
    ParquetReader: typeof ParquetReader;
  };
  export default parquet;
}
